import { sha256HexOf, unkeyLookupId } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { badRequest } from '../errors.js';
import { requireRbac } from '../../services/rbac.js';
import { permissionSlugs, workspaceOfCaller } from '../key-grants.js';
import { creditsInput, expiresInput, ratelimitInput } from '../key-input.js';
import { lookupIdTaken } from '../key-lookup.js';
import { MigrateKeysBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.migrateKeys: existing keys brought in by their SHA-256 (base64, as Unkey stores
 * it, or hex), through the engine's import verb; they verify at `/v2` and `/v1` from then on and
 * their plaintext never reaches Elyzor. A hash already known is listed in `failed`.
 */
export function registerKeysMigrateKeys(scope: App, context: V2Context): void {
  const { deps, services, identities } = context;
  scope.post('/v2/keys.migrateKeys', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Import keys by their hash', body: MigrateKeysBody } }, async (request) => {
    const { apiId, keys } = request.body;
    const ctx = ctxOf(request);
    keys.forEach((key, i) => {
      if (sha256HexOf(key.hash) === null) throw badRequest(`keys[${i}].hash: not a SHA-256 in base64 or hex`, `body.keys[${i}].hash`);
    });
    // Roles must exist before anything is imported (404), as on createKey.
    const roles = [...new Set(keys.flatMap((key) => key.roles ?? []))];
    if (roles.length > 0) {
      requireRbac(ctx, 'add_role_to_key');
      await services.rbac.resolveRoles(deps.db, workspaceOfCaller(ctx), roles);
    }
    const migrated: Array<{ hash: string; keyId: string }> = [];
    const failed: string[] = [];
    for (const key of keys) {
      if (await lookupIdTaken(deps, unkeyLookupId(sha256HexOf(key.hash) as string))) {
        failed.push(key.hash);
        continue;
      }
      const scopes = key.permissions === undefined ? undefined : await permissionSlugs(context, ctx, key.permissions);
      const view = await deps.credentials.import({
        ctx,
        input: {
          projectId: apiId,
          sha256: key.hash,
          ...(key.name !== undefined ? { label: key.name } : {}),
          ...(key.externalId !== undefined ? { ownerId: key.externalId } : {}),
          ...(key.meta !== undefined ? { metadata: key.meta } : {}),
          ...(scopes !== undefined ? { scopes } : {}),
          ...(key.expires !== undefined ? { expiresAt: expiresInput(key.expires) } : {}),
          ...(key.enabled !== undefined ? { enabled: key.enabled } : {}),
          ...(key.credits !== undefined ? { credits: creditsInput(key.credits) } : {}),
          ...(key.ratelimits !== undefined ? { rateLimit: ratelimitInput(key.ratelimits) } : {}),
        },
      });
      // An externalId links or makes its identity, as on createKey.
      if (key.externalId !== undefined && ctx.actor.type === 'root_key') await identities.ensure(ctx, ctx.actor.workspaceId, key.externalId);
      if (key.roles !== undefined && key.roles.length > 0) await services.rbac.changeKeyRoles(ctx, { keyId: view.id, mode: 'add', roles: key.roles, apiAction: 'create_key' });
      migrated.push({ hash: key.hash, keyId: view.id });
    }
    return envelope(request, { migrated, failed });
  });
}
