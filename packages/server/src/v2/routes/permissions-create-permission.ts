import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { CreatePermissionBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.createPermission: a permission of the root key's workspace (`rbac.*.create_permission`); a taken slug or name is a 409. */
export function registerPermissionsCreatePermission(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.createPermission', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Create a permission', body: CreatePermissionBody } }, async (request) => {
    const created = await services.rbac.createPermission(ctxOf(request), request.body);
    return envelope(request, { permissionId: created.id });
  });
}
