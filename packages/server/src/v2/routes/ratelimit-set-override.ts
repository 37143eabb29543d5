import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { SetOverrideBody } from '../ratelimit-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/ratelimit.setOverride: an identifier's (or a `*` pattern's) own limit, made or replaced. */
export function registerRatelimitSetOverride(scope: App, { ratelimits }: V2Context): void {
  scope.post('/v2/ratelimit.setOverride', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Set a rate-limit override', body: SetOverrideBody } }, async (request) => {
    const row = await ratelimits.setOverride(ctxOf(request), request.body);
    return envelope(request, { overrideId: row.id });
  });
}
