import type { CredentialView, Ctx } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { notFoundV2 } from '../errors.js';
import { projectOfKey } from '../key-lookup.js';
import { toKeyResponse } from '../key-view.js';
import { KeyIdBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** A live key's view through the engine's get verb; a deleted (revoked) one is a 404, as at Unkey. */
export async function liveKey(deps: Deps, ctx: Ctx, keyId: string): Promise<CredentialView & { projectId: string }> {
  const projectId = await projectOfKey(deps, keyId);
  const view = await deps.credentials.get({ ctx, input: { projectId, kind: 'key', id: keyId } });
  if (view.status === 'revoked') throw notFoundV2('key', 'The key does not exist');
  return { ...view, projectId };
}

/** POST /v2/keys.getKey */
export function registerKeysGetKey(scope: App, { deps, identities, services }: V2Context): void {
  scope.post('/v2/keys.getKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Get a key', body: KeyIdBody } }, async (request) => {
    const ctx = ctxOf(request);
    const view = await liveKey(deps, ctx, request.body.keyId);
    const roles = await services.rbac.roleNamesOfKeys([view.id]);
    return envelope(request, toKeyResponse(view, await identities.ofOwner(ctx, view.ownerId), roles.get(view.id)));
  });
}
