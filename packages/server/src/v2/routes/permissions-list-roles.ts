import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { ListRbacBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.listRoles: cursor pages of roles with their permissions; `search` over id, name and description. */
export function registerPermissionsListRoles(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.listRoles', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'List roles', body: ListRbacBody } }, async (request) => {
    const { limit, cursor, search } = request.body;
    const page = await services.rbac.listRoles(ctxOf(request), { limit: limit ?? 100, cursor, search });
    return envelope(request, page.items, page.next === null ? { hasMore: false } : { cursor: page.next, hasMore: true });
  });
}
