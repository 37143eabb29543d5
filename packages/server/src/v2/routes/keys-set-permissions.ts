import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { changeKeyPermissions } from '../key-grants.js';
import { KeyPermissionsBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/keys.setPermissions: see `changeKeyPermissions`; the answer is the key's direct permissions. */
export function registerKeysSetPermissions(scope: App, context: RouteContext): void {
  scope.post('/v2/keys.setPermissions', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Set permissions of a key', body: KeyPermissionsBody } }, async (request) =>
    envelope(request, await changeKeyPermissions(context, ctxOf(request), { keyId: request.body.keyId, mode: 'set', permissions: request.body.permissions })),
  );
}
