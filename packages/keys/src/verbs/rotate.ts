import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import type { ActionContext, ApiKeyMetadata, ApiKeyRecord } from '../types.js';
import { dropCached, expireRevoked, isRetired, logAction, mustFind, type Ctx } from './context.js';
import { create } from './create.js';

export interface RotateOptions {
  /** Seconds the old key keeps verifying; default the config's `rotationGracePeriod` (0). */
  gracePeriod?: number;
  /** Elyzor: false leaves the old key verifying until it is revoked by hand; default true. */
  revokeOld?: boolean;
}

/**
 * A new key with the old one's metadata (overridden by `metadata`), and the old key revoked:
 * at once, or at the end of a grace period, during which both verify. The new key inherits the
 * old one's rate-limit, quota and credit counters.
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
  const oldRecord = await storageCall(() => mustFind(ctx, id));
  if (isRetired(ctx, oldRecord)) throw createApiKeyError(ApiKeyErrorCode.CANNOT_MODIFY_REVOKED);
  const old = oldRecord.metadata;
  const { key, record } = await create(ctx, {
    ownerId: old.ownerId,
    name: metadata.name ?? old.name,
    description: metadata.description ?? old.description,
    scopes: metadata.scopes ?? old.scopes,
    resources: metadata.resources ?? old.resources,
    expiresAt: metadata.expiresAt ?? old.expiresAt,
    tags: metadata.tags ?? old.tags,
    rateLimit: metadata.rateLimit ?? old.rateLimit,
    quota: metadata.quota ?? old.quota,
    credits: metadata.credits ?? old.credits,
    ipAllowlist: metadata.ipAllowlist ?? old.ipAllowlist,
    ipDenylist: metadata.ipDenylist ?? old.ipDenylist,
    attributes: metadata.attributes ?? old.attributes,
    limitKey: old.limitKey ?? oldRecord.id,
  });
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
