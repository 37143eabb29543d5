import { DEFAULT_UNKEY_BYTES } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { creditsInput, expiresInput, ratelimitInput } from '../key-input.js';
import { permissionSlugs, workspaceOfCaller } from '../key-grants.js';
import { requireRbac } from '../../services/rbac.js';
import { CreateKeyBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.createKey: an API key of Unkey's format (`<prefix>_<base58>`), through the
 * engine's create verb; the plaintext is in this answer only. An `externalId` links the key to
 * that identity, made now when the workspace has none of that externalId.
 */
export function registerKeysCreateKey(scope: App, context: V2Context): void {
  const { deps, services, identities } = context;
  scope.post('/v2/keys.createKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Create a key', body: CreateKeyBody } }, async (request) => {
    const body = request.body;
    const ctx = ctxOf(request);
    // Roles must exist and permissions be known or creatable before the key is made (Unkey's 404 / 403).
    const roles = body.roles !== undefined && body.roles.length > 0 ? body.roles : undefined;
    if (roles !== undefined) {
      requireRbac(ctx, 'add_role_to_key');
      await services.rbac.resolveRoles(deps.db, workspaceOfCaller(ctx), roles);
    }
    const scopes = body.permissions === undefined ? undefined : await permissionSlugs(context, ctx, body.permissions);
    const issued = await deps.credentials.create({
      ctx,
      input: {
        projectId: body.apiId,
        kind: 'key',
        unkeyFormat: { prefix: body.prefix ?? '', byteLength: body.byteLength ?? DEFAULT_UNKEY_BYTES },
        ...(body.name !== undefined ? { label: body.name } : {}),
        ...(body.externalId !== undefined ? { ownerId: body.externalId } : {}),
        ...(body.meta !== undefined ? { metadata: body.meta } : {}),
        ...(scopes !== undefined ? { scopes } : {}),
        ...(body.expires !== undefined ? { expiresAt: expiresInput(body.expires) } : {}),
        ...(body.credits !== undefined ? { credits: creditsInput(body.credits) } : {}),
        ...(body.ratelimits !== undefined ? { rateLimit: ratelimitInput(body.ratelimits) } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      },
    });
    // After the key: a caller that may not make it makes no identity either.
    if (body.externalId !== undefined && ctx.actor.type === 'root_key') await identities.ensure(ctx, ctx.actor.workspaceId, body.externalId);
    if (roles !== undefined) await services.rbac.changeKeyRoles(ctx, { keyId: issued.id, mode: 'add', roles, apiAction: 'create_key' });
    return envelope(request, { keyId: issued.id, key: issued.key });
  });
}
