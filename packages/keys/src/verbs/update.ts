import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import type { ActionContext, ApiKeyMetadata } from '../types.js';
import { dropCached, isRetired, logAction, mustFind, newId, type Ctx } from './context.js';
import { checkExtras } from './extras.js';

/** Elyzor: what `update` may change on a live key. */
export interface UpdateChanges {
  /** Addresses and CIDR ranges allowed to use the key; empty allows all. */
  ipAllowlist?: string[];
  /** Addresses and CIDR ranges never allowed; wins over the allow list. */
  ipDenylist?: string[];
  /** Replaces the key's `attributes` (the app's own document). */
  attributes?: Record<string, unknown> | null;
  /** Starts the key's rate-limit, quota and credit counters afresh (they are named by a new `limitKey`). */
  resetLimits?: boolean;
}

/**
 * Changes a key that is neither revoked nor rotated: its IP rules, its attributes, or its
 * counters. The cache entry is dropped before this returns, so the next verify sees the change.
 */
export async function update(ctx: Ctx, id: string, changes: UpdateChanges, context?: ActionContext): Promise<void> {
  // The same checks as create's, on the fields update may change.
  checkExtras('update: ', { ipAllowlist: changes.ipAllowlist, ipDenylist: changes.ipDenylist, attributes: changes.attributes }, ctx.clock.now());
  const change: Partial<ApiKeyMetadata> = {};
  if (changes.ipAllowlist !== undefined) change.ipAllowlist = [...changes.ipAllowlist];
  if (changes.ipDenylist !== undefined) change.ipDenylist = [...changes.ipDenylist];
  if (changes.attributes !== undefined) change.attributes = changes.attributes;
  if (changes.resetLimits === true) change.limitKey = newId();
  const record = await storageCall(() => mustFind(ctx, id));
  if (isRetired(ctx, record)) throw createApiKeyError(ApiKeyErrorCode.CANNOT_MODIFY_REVOKED);
  if (Object.keys(change).length === 0) return;
  await storageCall(() => ctx.storage.updateMetadata(id, change));
  await logAction(ctx, 'updated', id, record.metadata.ownerId, context);
  try {
    await dropCached(ctx, record.keyHash);
  } catch (error) {
    throw createApiKeyError(ApiKeyErrorCode.CACHE_ERROR, error);
  }
}
