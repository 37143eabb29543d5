import type { CreateKeyBody, Elyzor, IssuedKey, Key } from '@elyzor/sdk';
import { UsageError } from '../errors.js';
import { byCreation, type IssuedKeyView, type KeyState, type KeyView, type NestKeys, type NewKey } from './view.js';

const STATES: Record<Key['status'], KeyState> = { active: 'active', revoked: 'revoked', expired: 'expired', disabled: 'suspended' };

/** An Elyzor key as the module's remote mode shows it: its name in `metadata.name`, else the label. */
function viewOf(key: Key): KeyView {
  const nest = (key.metadata ?? {}) as { name?: string; hold?: 'pending' | 'suspended' };
  const rate = key.rateLimit as { limit?: number; windowSeconds?: number } | null;
  return {
    id: key.id,
    name: nest.name ?? key.label ?? '',
    state: key.status === 'disabled' ? (nest.hold ?? 'suspended') : STATES[key.status],
    scopes: key.scopes,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
    revocationReason: key.revokeReason,
    lastUsedAt: key.lastUsedAt,
    createdAt: key.createdAt,
    ipWhitelist: key.ipAllowlist,
    ipBlacklist: key.ipDenylist,
    rateLimitMax: rate?.limit ?? null,
    rateLimitWindowMs: rate?.windowSeconds === undefined ? null : rate.windowSeconds * 1000,
  };
}

const issuedOf = (issued: IssuedKey): IssuedKeyView => ({ ...viewOf(issued), token: issued.key });

/** The body the module's remote mode sends for the same request (`toBody` in packages/nest). */
function bodyOf(key: NewKey): CreateKeyBody {
  const body: CreateKeyBody = { label: key.name.slice(0, 100), scopes: key.scopes, metadata: { name: key.name } };
  if (key.expiresAt !== undefined) body.expiresAt = key.expiresAt;
  if (key.ipWhitelist !== undefined) body.ipAllowlist = key.ipWhitelist;
  if (key.ipBlacklist !== undefined) body.ipDenylist = key.ipBlacklist;
  if (key.rateLimit !== undefined) body.rateLimit = key.rateLimit;
  return body;
}

/**
 * Remote mode: the keys of one Elyzor project, through the SDK client the other commands use
 * (the session of `elyzor login`, or `ELYZOR_ROOT_KEY`).
 */
export function remoteKeys(client: Elyzor, projectId: string): NestKeys {
  return {
    create: async (key) => issuedOf(await client.keys.create(projectId, bodyOf(key))),
    async list({ all }) {
      const views: KeyView[] = [];
      for await (const key of client.keys.iterate(projectId)) if (all || key.status !== 'revoked') views.push(viewOf(key));
      return views.sort(byCreation);
    },
    async revoke(id, reason) {
      await client.keys.revoke(projectId, id, reason === undefined ? {} : { reason });
      return viewOf(await client.keys.get(projectId, id));
    },
    async rotate(id, request) {
      // Elyzor's rotation always retires the old key, at the end of its grace period.
      if (!request.revokeOld) throw new UsageError('an Elyzor server always retires the rotated key: pass --revoke-old (and --grace for an overlap)');
      return issuedOf(await client.keys.rotate(projectId, id, { gracePeriodSeconds: request.graceSeconds }));
    },
    close: () => Promise.resolve(),
  };
}
