import type { PolicyInput } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { expiresInput, ratelimitInput, refillInput } from '../key-input.js';
import { permissionSlugs, workspaceOfCaller } from '../key-grants.js';
import { requireRbac } from '../../services/rbac.js';
import { UpdateKeyBody } from '../schemas.js';
import { liveKey } from './keys-get-key.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.updateKey, through the engine's update verb: a field left out stays, a field
 * set to `null` is cleared, lists (`permissions`, `ratelimits`) replace what the key had.
 */
export function registerKeysUpdateKey(scope: App, context: V2Context): void {
  const { deps, services, identities } = context;
  scope.post('/v2/keys.updateKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Update a key', body: UpdateKeyBody } }, async (request) => {
    const body = request.body;
    const ctx = ctxOf(request);
    const current = await liveKey(deps, ctx, body.keyId);
    // `roles` replace the key's roles: they must exist, and the root key may add and remove them.
    if (body.roles !== undefined) {
      requireRbac(ctx, 'add_role_to_key');
      requireRbac(ctx, 'remove_role_from_key');
      await services.rbac.resolveRoles(deps.db, workspaceOfCaller(ctx), body.roles);
    }
    const changes: PolicyInput & { label?: string | null } = {};
    if (body.name !== undefined) changes.label = body.name;
    if (body.externalId !== undefined) changes.ownerId = body.externalId;
    if (body.meta !== undefined) changes.metadata = body.meta;
    if (body.expires !== undefined) changes.expiresAt = expiresInput(body.expires);
    if (body.enabled !== undefined) changes.enabled = body.enabled;
    if (body.permissions !== undefined) changes.scopes = await permissionSlugs(context, ctx, body.permissions);
    if (body.ratelimits !== undefined) changes.rateLimit = ratelimitInput(body.ratelimits);
    if (body.credits !== undefined) {
      const credits = body.credits;
      if (credits === null || credits.remaining === null) changes.credits = null;
      else {
        // Half a credits object changes that half: the balance or the refill.
        const remaining = credits.remaining ?? current.credits?.remaining ?? 0;
        const refill = credits.refill !== undefined ? refillInput(credits.refill) : (current.credits?.refill ?? null);
        changes.credits = { remaining, refill };
      }
    }
    await deps.credentials.update({ ctx, input: { projectId: current.projectId, kind: 'key', id: current.id, changes } });
    // A new externalId links or makes its identity, as on createKey.
    if (typeof body.externalId === 'string' && ctx.actor.type === 'root_key') await identities.ensure(ctx, ctx.actor.workspaceId, body.externalId);
    if (body.roles !== undefined) await services.rbac.changeKeyRoles(ctx, { keyId: current.id, mode: 'set', roles: body.roles });
    return envelope(request, {});
  });
}
