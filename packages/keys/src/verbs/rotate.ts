import { limitKeyOf } from '@elyzor/core';
import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import type { ActionContext, ApiKeyMetadata, ApiKeyRecord } from '../types.js';
import { dropCached, expireRevoked, isRetired, logAction, mustFind, nowIso, type Ctx } from './context.js';
import { issue } from './create.js';
import { checkExtras } from './extras.js';

export interface RotateOptions {
  /** Seconds the old key keeps verifying; default the config's `rotationGracePeriod` (0). */
  gracePeriod?: number;
  /** Elyzor: false leaves the old key verifying until it is revoked by hand; default true. */
  revokeOld?: boolean;
}

/**
 * What belongs to the old key alone, never carried to its replacement: its times, its
 * retirement, its digest's prefix, its counters' name (set below). Everything else is copied.
 */
type OwnFields = 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'rotatedTo' | 'revocationReason' | 'keyPrefix' | 'limitKey';
// `enabled` is not carried either: see `successorOf`.

const OWN_FIELDS: ReadonlySet<string> = new Set<OwnFields>(['createdAt', 'lastUsedAt', 'revokedAt', 'rotatedTo', 'revocationReason', 'keyPrefix', 'limitKey']);

/** The replacement's metadata: the old metadata whole, without its own fields, with the overrides. */
function successorOf(ctx: Ctx, oldRecord: ApiKeyRecord, overrides: Partial<ApiKeyMetadata>): ApiKeyMetadata {
  // A deep copy: the replacement shares no object with the old record the caller gets back.
  const next: ApiKeyMetadata = structuredClone(oldRecord.metadata);
  const writable = next as unknown as Record<string, unknown>;
  for (const field of OWN_FIELDS) delete writable[field];
  for (const [field, value] of Object.entries(overrides)) {
    // An override given as null or undefined keeps the old value (keypal's `??`); the owner and
    // the old key's own fields are not the caller's to set through a rotation.
    if (value === null || value === undefined || field === 'ownerId' || OWN_FIELDS.has(field)) continue;
    writable[field] = value;
  }
  const now = nowIso(ctx);
  if (overrides.tags != null) next.tags = overrides.tags.map((t) => t.toLowerCase());
  // A new balance is counted from now; an inherited one keeps its count (and so its `setAt`).
  if (next.credits != null && next.credits.setAt === undefined) next.credits = { ...next.credits, setAt: now };
  // keypal's rotation issues an enabled key (its README disables a key, rotates it, and uses the
  // new one), where the engine's carries the state: keypal's rule, since this is its API.
  next.enabled = overrides.enabled ?? true;
  next.createdAt = now;
  next.lastUsedAt = undefined;
  next.revokedAt = null;
  next.rotatedTo = null;
  // The counters follow the key: the replacement spends its predecessor's rate limit, quota and credits.
  next.limitKey = limitKeyOf({ id: oldRecord.id, limitKey: oldRecord.metadata.limitKey ?? null });
  return next;
}

/**
 * A new key with the old one's metadata (overridden by `metadata`), and the old key revoked:
 * at once, or at the end of a grace period, during which both verify. The replacement is a
 * structural copy, as the engine's rotation is: every field of the old metadata is carried (the
 * extras, a field the app or a later version added) except those that belong to the old key
 * alone (`OwnFields`), and `enabled`, which starts true as in keypal unless `metadata` sets it.
 * It inherits the old one's rate-limit, quota and credit counters.
 */
export async function rotate(
  ctx: Ctx,
  id: string,
  metadata: Partial<ApiKeyMetadata> = {},
  context?: ActionContext,
  options: RotateOptions = {},
): Promise<{ key: string; record: ApiKeyRecord; oldRecord: ApiKeyRecord }> {
  const grace = options.gracePeriod ?? ctx.rotationGracePeriod;
  if (!(typeof grace === 'number' && Number.isFinite(grace) && grace >= 0)) throw new TypeError('rotate: gracePeriod must be a non-negative number of seconds');
  if (typeof metadata !== 'object' || metadata === null) throw new TypeError('rotate: metadata must be an object');
  // Only the overrides are checked: what is carried was checked when it was stored.
  checkExtras('rotate: metadata.', metadata, ctx.clock.now());
  const oldRecord = await storageCall(() => mustFind(ctx, id));
  if (isRetired(ctx, oldRecord)) throw createApiKeyError(ApiKeyErrorCode.CANNOT_MODIFY_REVOKED);
  const old = oldRecord.metadata;
  const { key, record } = await issue(ctx, successorOf(ctx, oldRecord, metadata));
  const revokeOld = options.revokeOld !== false;
  const revokedAt = revokeOld ? new Date(ctx.clock.now() + grace * 1000).toISOString() : null;
  await storageCall(() => ctx.storage.updateMetadata(id, { rotatedTo: record.id, revokedAt }));
  await logAction(ctx, 'rotated', id, old.ownerId, { ...context, metadata: { rotatedTo: record.id, ...context?.metadata } });
  try {
    await dropCached(ctx, oldRecord.keyHash);
  } catch (error) {
    throw createApiKeyError(ApiKeyErrorCode.CACHE_ERROR, error);
  }
  if (revokeOld) await expireRevoked(ctx, id, grace);
  return { key, record, oldRecord };
}
