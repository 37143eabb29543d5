import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { toOverride } from '../override-view.js';
import { OverrideRefBody } from '../ratelimit-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/ratelimit.getOverride: by the identifier or pattern it was set for, exactly. */
export function registerRatelimitGetOverride(scope: App, { ratelimits }: V2Context): void {
  scope.post('/v2/ratelimit.getOverride', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Get a rate-limit override', body: OverrideRefBody } }, async (request) =>
    envelope(request, toOverride(await ratelimits.getOverride(ctxOf(request), request.body.namespace, request.body.identifier))),
  );
}
