import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { ListRbacBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.listPermissions: cursor pages (the SDK's page iterator), `search` over id, name, slug and description. */
export function registerPermissionsListPermissions(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.listPermissions', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'List permissions', body: ListRbacBody } }, async (request) => {
    const { limit, cursor, search } = request.body;
    const page = await services.rbac.listPermissions(ctxOf(request), { limit: limit ?? 100, cursor, search });
    return envelope(request, page.items, page.next === null ? { hasMore: false } : { cursor: page.next, hasMore: true });
  });
}
