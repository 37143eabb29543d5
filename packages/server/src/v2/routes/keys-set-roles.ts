import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { KeyRolesBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/keys.setRoles: roles must exist (404 otherwise, nothing changes); the answer is the key's roles afterwards. */
export function registerKeysSetRoles(scope: App, { services }: RouteContext): void {
  scope.post('/v2/keys.setRoles', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Set roles of a key', body: KeyRolesBody } }, async (request) =>
    envelope(request, await services.rbac.changeKeyRoles(ctxOf(request), { keyId: request.body.keyId, mode: 'set', roles: request.body.roles })),
  );
}
