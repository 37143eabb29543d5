import { DEFAULT_UNKEY_BYTES } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { creditsInput, expiresInput, ratelimitInput, refuseRoles } from '../key-input.js';
import { CreateKeyBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.createKey: an API key of Unkey's format (`<prefix>_<base58>`), through the
 * engine's create verb; the plaintext is in this answer only. An `externalId` links the key to
 * that identity, made now when the workspace has none of that externalId.
 */
export function registerKeysCreateKey(scope: App, { deps, identities }: V2Context): void {
  scope.post('/v2/keys.createKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Create a key', body: CreateKeyBody } }, async (request) => {
    const body = request.body;
    refuseRoles(body.roles);
    const ctx = ctxOf(request);
    const issued = await deps.credentials.create({
      ctx,
      input: {
        projectId: body.apiId,
        kind: 'key',
        unkeyFormat: { prefix: body.prefix ?? '', byteLength: body.byteLength ?? DEFAULT_UNKEY_BYTES },
        ...(body.name !== undefined ? { label: body.name } : {}),
        ...(body.externalId !== undefined ? { ownerId: body.externalId } : {}),
        ...(body.meta !== undefined ? { metadata: body.meta } : {}),
        ...(body.permissions !== undefined ? { scopes: body.permissions } : {}),
        ...(body.expires !== undefined ? { expiresAt: expiresInput(body.expires) } : {}),
        ...(body.credits !== undefined ? { credits: creditsInput(body.credits) } : {}),
        ...(body.ratelimits !== undefined ? { rateLimit: ratelimitInput(body.ratelimits) } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      },
    });
    // After the key: a caller that may not make it makes no identity either.
    if (body.externalId !== undefined && ctx.actor.type === 'root_key') await identities.ensure(ctx, ctx.actor.workspaceId, body.externalId);
    return envelope(request, { keyId: issued.id, key: issued.key });
  });
}
