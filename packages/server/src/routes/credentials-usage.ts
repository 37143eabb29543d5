import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors, UsageQuery, UsageSeries } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { CREDENTIAL_KINDS, idsOf } from './credential-kinds.js';

const RANGE_DAYS = new Map([
  ['1d', 1],
  ['7d', 7],
  ['30d', 30],
  ['90d', 90],
]);

export function registerCredentialsUsage(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, idParam, tag } of CREDENTIAL_KINDS) {
    app.get(
      `/v1/projects/:projectId/${segment}/:${idParam}/usage`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: 'Verifications per UTC day (count and errors) over 1, 7 (default), 30 or 90 days',
          security: [{ bearer: [] }],
          params: Type.Object({ projectId: Type.String(), [idParam]: Type.String() }),
          querystring: UsageQuery,
          response: { 200: UsageSeries, ...errors(401, 404, 429, 503) },
        },
      },
      async (request) => {
        const { projectId, id } = idsOf(request.params, idParam);
        const days = RANGE_DAYS.get(request.query.range ?? '7d') ?? 7;
        return services.credentials.usageByDay(actorOf(request), projectId, kind, id, days);
      },
    );
  }
}
