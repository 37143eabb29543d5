import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { RoleRefBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.deleteRole: by id or name; its keys lose its permissions from their next verification. */
export function registerPermissionsDeleteRole(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.deleteRole', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Delete a role', body: RoleRefBody } }, async (request) => {
    await services.rbac.deleteRole(ctxOf(request), request.body.role);
    return envelope(request, {});
  });
}
