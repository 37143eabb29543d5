import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { MultiLimitBody } from '../ratelimit-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/ratelimit.multiLimit: several checks, each on its own; `passed` when all were admitted. */
export function registerRatelimitMultiLimit(scope: App, { ratelimits }: V2Context): void {
  scope.post('/v2/ratelimit.multiLimit', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Apply several rate limits', body: MultiLimitBody } }, async (request) => {
    const answers = await ratelimits.multiLimit(ctxOf(request), request.body);
    const limits = answers.map((a) => ({ namespace: a.namespace, identifier: a.identifier, limit: a.limit, remaining: a.remaining, reset: a.reset, passed: a.success, ...(a.overrideId !== undefined ? { overrideId: a.overrideId } : {}) }));
    return envelope(request, { passed: limits.every((l) => l.passed), limits });
  });
}
