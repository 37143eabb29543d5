import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { OverrideRefBody } from '../ratelimit-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/ratelimit.deleteOverride: the identifiers it matched are limited as requested again. */
export function registerRatelimitDeleteOverride(scope: App, { ratelimits }: V2Context): void {
  scope.post('/v2/ratelimit.deleteOverride', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Delete a rate-limit override', body: OverrideRefBody } }, async (request) => {
    await ratelimits.deleteOverride(ctxOf(request), request.body.namespace, request.body.identifier);
    return envelope(request, {});
  });
}
