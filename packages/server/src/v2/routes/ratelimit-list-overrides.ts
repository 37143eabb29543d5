import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { toOverride } from '../override-view.js';
import { ListOverridesBody } from '../ratelimit-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/ratelimit.listOverrides: a namespace's overrides, newest first, in cursor pages. */
export function registerRatelimitListOverrides(scope: App, { ratelimits }: V2Context): void {
  scope.post('/v2/ratelimit.listOverrides', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'List rate-limit overrides', body: ListOverridesBody } }, async (request) => {
    const { namespace, cursor, limit } = request.body;
    const page = await ratelimits.listOverrides(ctxOf(request), namespace, { limit: limit ?? 100, cursor });
    return envelope(request, page.items.map(toOverride), page.next === null ? { hasMore: false } : { cursor: page.next, hasMore: true });
  });
}
