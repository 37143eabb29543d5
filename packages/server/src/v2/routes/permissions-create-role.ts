import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { CreateRoleBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/permissions.createRole (`rbac.*.create_role`): its `permissions` are slugs (or ids);
 * existing ones are reused, missing ones created when the root key holds `rbac.*.create_permission`.
 */
export function registerPermissionsCreateRole(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.createRole', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Create a role', body: CreateRoleBody } }, async (request) =>
    envelope(request, await services.rbac.createRole(ctxOf(request), request.body)),
  );
}
