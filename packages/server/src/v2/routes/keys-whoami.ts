import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { notFoundV2 } from '../errors.js';
import { keyOfToken } from '../key-lookup.js';
import { toKeyResponse } from '../key-view.js';
import { WhoamiBody } from '../schemas.js';
import { liveKey } from './keys-get-key.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/keys.whoami: the key a plaintext string is (of either format), without verifying or spending anything. */
export function registerKeysWhoami(scope: App, { deps, identities, services }: V2Context): void {
  scope.post('/v2/keys.whoami', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Find a key by its plaintext', body: WhoamiBody } }, async (request) => {
    const found = await keyOfToken(deps, request.body.key);
    if (found === undefined) throw notFoundV2('key', 'The key does not exist');
    const ctx = ctxOf(request);
    const view = await liveKey(deps, ctx, found.id);
    return envelope(request, toKeyResponse(view, await identities.ofOwner(ctx, view.ownerId), (await services.rbac.roleNamesOfKeys([view.id])).get(view.id)));
  });
}
