import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { SetRolePermissionsBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/permissions.setRolePermissions: the role's whole set of permissions (`[]` clears it);
 * its keys gain and lose accordingly from their next verification, on every instance.
 */
export function registerPermissionsSetRolePermissions(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.setRolePermissions', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: "Set a role's permissions", body: SetRolePermissionsBody } }, async (request) =>
    envelope(request, await services.rbac.setRolePermissions(ctxOf(request), request.body.roleId, request.body.permissions)),
  );
}
