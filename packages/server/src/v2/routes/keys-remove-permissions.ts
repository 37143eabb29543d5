import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { changeKeyPermissions } from '../key-grants.js';
import { KeyPermissionsBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/keys.removePermissions: see `changeKeyPermissions`; the answer is the key's direct permissions. */
export function registerKeysRemovePermissions(scope: App, context: RouteContext): void {
  scope.post('/v2/keys.removePermissions', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Remove permissions from a key', body: KeyPermissionsBody } }, async (request) =>
    envelope(request, await changeKeyPermissions(context, ctxOf(request), { keyId: request.body.keyId, mode: 'remove', permissions: request.body.permissions })),
  );
}
