import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { PermissionRefBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.getPermission: by id or slug (`rbac.*.read_permission`); another workspace's is a 404. */
export function registerPermissionsGetPermission(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.getPermission', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Get a permission', body: PermissionRefBody } }, async (request) =>
    envelope(request, await services.rbac.getPermission(ctxOf(request), request.body.permission)),
  );
}
