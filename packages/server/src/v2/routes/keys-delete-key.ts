import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { projectOfKey } from '../key-lookup.js';
import { DeleteKeyBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.deleteKey: the engine's revocation, seen by `/v1/verify` and `/v2/keys.verifyKey`
 * on the next request on every instance. `permanent` is accepted; the revoked row is kept either
 * way, for the audit log and usage history.
 */
export function registerKeysDeleteKey(scope: App, { deps }: RouteContext): void {
  scope.post('/v2/keys.deleteKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Delete (revoke) a key', body: DeleteKeyBody } }, async (request) => {
    const projectId = await projectOfKey(deps, request.body.keyId);
    await deps.credentials.revoke({ ctx: ctxOf(request), input: { projectId, kind: 'key', id: request.body.keyId, reason: 'deleted' } });
    return envelope(request, {});
  });
}
