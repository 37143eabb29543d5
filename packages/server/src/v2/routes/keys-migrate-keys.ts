import { sha256HexOf, unkeyLookupId } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { badRequest } from '../errors.js';
import { creditsInput, expiresInput, ratelimitInput, refuseRoles } from '../key-input.js';
import { lookupIdTaken } from '../key-lookup.js';
import { MigrateKeysBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.migrateKeys: existing keys brought in by their SHA-256 (base64, as Unkey stores
 * it, or hex), through the engine's import verb; they verify at `/v2` and `/v1` from then on and
 * their plaintext never reaches Elyzor. A hash already known is listed in `failed`.
 */
export function registerKeysMigrateKeys(scope: App, { deps, identities }: V2Context): void {
  scope.post('/v2/keys.migrateKeys', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Import keys by their hash', body: MigrateKeysBody } }, async (request) => {
    const { apiId, keys } = request.body;
    const ctx = ctxOf(request);
    keys.forEach((key, i) => {
      refuseRoles(key.roles);
      if (sha256HexOf(key.hash) === null) throw badRequest(`keys[${i}].hash: not a SHA-256 in base64 or hex`, `body.keys[${i}].hash`);
    });
    const migrated: Array<{ hash: string; keyId: string }> = [];
    const failed: string[] = [];
    for (const key of keys) {
      if (await lookupIdTaken(deps, unkeyLookupId(sha256HexOf(key.hash) as string))) {
        failed.push(key.hash);
        continue;
      }
      const view = await deps.credentials.import({
        ctx,
        input: {
          projectId: apiId,
          sha256: key.hash,
          ...(key.name !== undefined ? { label: key.name } : {}),
          ...(key.externalId !== undefined ? { ownerId: key.externalId } : {}),
          ...(key.meta !== undefined ? { metadata: key.meta } : {}),
          ...(key.permissions !== undefined ? { scopes: key.permissions } : {}),
          ...(key.expires !== undefined ? { expiresAt: expiresInput(key.expires) } : {}),
          ...(key.enabled !== undefined ? { enabled: key.enabled } : {}),
          ...(key.credits !== undefined ? { credits: creditsInput(key.credits) } : {}),
          ...(key.ratelimits !== undefined ? { rateLimit: ratelimitInput(key.ratelimits) } : {}),
        },
      });
      // An externalId links or makes its identity, as on createKey.
      if (key.externalId !== undefined && ctx.actor.type === 'root_key') await identities.ensure(ctx, ctx.actor.workspaceId, key.externalId);
      migrated.push({ hash: key.hash, keyId: view.id });
    }
    return envelope(request, { migrated, failed });
  });
}
