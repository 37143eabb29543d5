import { authenticate, callerIdOf, ctxOf } from '../http/authenticate.js';
import { errors, ProjectParams, Stats, StatsQuery } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { projectStats } from '../store/stats.js';

const RANGE_DAYS = new Map([
  ['1d', 1],
  ['7d', 7],
  ['30d', 30],
]);

/** `range` → days; an unknown value reads as the default, 7 days. */
export const rangeDays = (range: string | undefined): number => RANGE_DAYS.get(range ?? '7d') ?? 7;

export function registerStats(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/projects/:projectId/stats',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['stats'],
        summary: 'Usage of a project over the last 1, 7 (default) or 30 days',
        security: [{ bearer: [] }],
        params: ProjectParams,
        querystring: StatsQuery,
        response: { 200: Stats, ...errors(401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      // Admitted before anything else: a read refused as one too many costs nothing more.
      return deps.heavyReads.admit(callerIdOf(request), async (query) => {
        const project = await services.projects.require(ctx, request.params.projectId, 'read_analytics');
        // This instance's buffered events count too: what was verified here shows at once.
        await deps.usage.flush();
        const since = new Date(deps.clock.now() - rangeDays(request.query.range) * 86_400_000);
        return query((db) => projectStats(db, project.id, since));
      });
    },
  );
}
