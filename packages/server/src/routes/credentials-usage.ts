import { authenticate, callerIdOf, ctxOf } from '../http/authenticate.js';
import { errors, UsageQuery, UsageSeries } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { credentialParams, KEYS, refOf, SERVICES } from './credential-kinds.js';

const RANGE_DAYS = new Map([
  ['1d', 1],
  ['7d', 7],
  ['30d', 30],
  ['90d', 90],
]);

/** GET /v1/projects/:projectId/keys/:keyId/usage and GET /v1/projects/:projectId/services/:serviceId/usage */
export function registerCredentialsUsage(app: App, { deps, services }: RouteContext): void {
  for (const [path, routes] of [
    ['/v1/projects/:projectId/keys/:keyId/usage', KEYS],
    ['/v1/projects/:projectId/services/:serviceId/usage', SERVICES],
  ] as const) {
    app.get(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: 'Verifications per UTC day (count and errors) over 1, 7 (default), 30 or 90 days',
          security: [{ bearer: [] }],
          params: credentialParams(routes),
          querystring: UsageQuery,
          response: { 200: UsageSeries, ...errors(401, 403, 404, 429, 503) },
        },
      },
      async (request) => {
        const days = RANGE_DAYS.get(request.query.range ?? '7d') ?? 7;
        return services.usage.usageByDay(ctxOf(request), callerIdOf(request), refOf(request.params, routes), days);
      },
    );
  }
}
