import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { RoleRefBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/permissions.getRole: by id or name, with its permissions (`rbac.*.read_role`). */
export function registerPermissionsGetRole(scope: App, { services }: RouteContext): void {
  scope.post('/v2/permissions.getRole', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Get a role', body: RoleRefBody } }, async (request) =>
    envelope(request, await services.rbac.getRole(ctxOf(request), request.body.role)),
  );
}
