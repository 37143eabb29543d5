import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { PermissionRefBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.deletePermission: by id or slug; roles and keys lose it, seen by the next verification. */
export function registerPermissionsDeletePermission(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.deletePermission', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Delete a permission', body: PermissionRefBody } }, async (request) => {
    await services.rbac.deletePermission(ctxOf(request), request.body.permission);
    return envelope(request, {});
  });
}
