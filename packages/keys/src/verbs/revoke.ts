import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import { isRevoked } from '../expiration.js';
import type { ActionContext } from '../types.js';
import { dropCached, expireRevoked, logAction, mustFind, nowIso, type Ctx } from './context.js';

export interface RevokeOptions {
  /** Elyzor: why, kept on the key as `metadata.revocationReason`. */
  reason?: string;
}

/**
 * Soft revocation: the record stays, with `revokedAt`, and never verifies again (the cache
 * entry is dropped before this returns). A rotated key still in its grace period can be revoked
 * at once.
 */
export async function revoke(ctx: Ctx, id: string, context?: ActionContext, options: RevokeOptions = {}): Promise<void> {
  const record = await storageCall(() => mustFind(ctx, id));
  if (isRevoked(record.metadata.revokedAt, ctx.clock.now())) throw createApiKeyError(ApiKeyErrorCode.ALREADY_REVOKED);
  const reason = options.reason;
  if (reason !== undefined && typeof reason !== 'string') throw new TypeError('revoke: reason must be a string');
  await storageCall(() => ctx.storage.updateMetadata(id, reason === undefined ? { revokedAt: nowIso(ctx) } : { revokedAt: nowIso(ctx), revocationReason: reason }));
  await logAction(ctx, 'revoked', id, record.metadata.ownerId, context);
  try {
    await dropCached(ctx, record.keyHash);
  } catch (error) {
    throw createApiKeyError(ApiKeyErrorCode.CACHE_ERROR, error);
  }
  await expireRevoked(ctx, id, 0);
}

/** Revokes every key of an owner that is not revoked yet. */
export async function revokeAll(ctx: Ctx, ownerId: string, context?: ActionContext): Promise<void> {
  const records = await storageCall(() => ctx.storage.findByOwner(ownerId));
  const now = ctx.clock.now();
  for (const record of records) {
    if (!isRevoked(record.metadata.revokedAt, now)) await revoke(ctx, record.id, context);
  }
}
