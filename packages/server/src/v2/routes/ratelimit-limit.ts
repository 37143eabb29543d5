import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { LimitBody } from '../ratelimit-schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/ratelimit.limit: `cost` units of `identifier` in `namespace` (made on first use),
 * at most `limit` per `duration` ms unless an override says otherwise. Always 200: `success` says
 * whether the request is admitted.
 */
export function registerRatelimitLimit(scope: App, { ratelimits }: V2Context): void {
  scope.post('/v2/ratelimit.limit', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Apply a rate limit', body: LimitBody } }, async (request) => {
    const { namespace, identifier, limit, duration, cost } = request.body;
    const answer = await ratelimits.limit(ctxOf(request), { namespace, identifier, limit, duration, cost });
    return envelope(request, { limit: answer.limit, remaining: answer.remaining, reset: answer.reset, success: answer.success, ...(answer.overrideId !== undefined ? { overrideId: answer.overrideId } : {}) });
  });
}
