import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import { isRevoked } from '../expiration.js';
import type { ActionContext } from '../types.js';
import { dropCached, logAction, mustFind, type Ctx } from './context.js';

/**
 * Elyzor: undoes a revocation (`revoke`), so that the key verifies again with its old plaintext.
 * Only a revoked key can be restored, and not one retired by a rotation: its successor holds its
 * place, and restoring it would leave two live keys where the caller asked for one.
 */
export async function restore(ctx: Ctx, id: string, context?: ActionContext): Promise<void> {
  const record = await storageCall(() => mustFind(ctx, id));
  if (!isRevoked(record.metadata.revokedAt, ctx.clock.now())) throw createApiKeyError(ApiKeyErrorCode.NOT_REVOKED);
  if ((record.metadata.rotatedTo ?? null) !== null) throw createApiKeyError(ApiKeyErrorCode.CANNOT_MODIFY_REVOKED);
  await storageCall(() => ctx.storage.updateMetadata(id, { revokedAt: null, revocationReason: null }));
  await logAction(ctx, 'restored', id, record.metadata.ownerId, context);
  try {
    // A negative or stale entry must not outlive the restoration.
    await dropCached(ctx, record.keyHash);
  } catch (error) {
    throw createApiKeyError(ApiKeyErrorCode.CACHE_ERROR, error);
  }
}
