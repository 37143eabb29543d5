import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import type { ActionContext, ApiKeyMetadata } from '../types.js';
import { dropCached, isRetired, logAction, mustFind, type Ctx } from './context.js';

export interface ToggleOptions {
  /** Elyzor: replaces the key's `attributes` in the same write (e.g. why it was disabled). */
  attributes?: Record<string, unknown> | null;
}

/**
 * enable / disable. A revoked key cannot be changed; a key without `enabled` counts as enabled
 * (verify lets it through, so disabling it must work).
 */
export async function setEnabled(ctx: Ctx, id: string, enabled: boolean, context?: ActionContext, options: ToggleOptions = {}): Promise<void> {
  const { attributes } = options;
  if (attributes != null && (typeof attributes !== 'object' || Array.isArray(attributes))) throw new TypeError('attributes must be an object');
  const record = await storageCall(() => mustFind(ctx, id));
  if (isRetired(ctx, record)) throw createApiKeyError(ApiKeyErrorCode.CANNOT_MODIFY_REVOKED);
  const current = record.metadata.enabled !== false;
  if (current === enabled) throw createApiKeyError(enabled ? ApiKeyErrorCode.ALREADY_ENABLED : ApiKeyErrorCode.ALREADY_DISABLED);
  const change: Partial<ApiKeyMetadata> = attributes === undefined ? { enabled } : { enabled, attributes };
  await storageCall(() => ctx.storage.updateMetadata(id, change));
  await logAction(ctx, enabled ? 'enabled' : 'disabled', id, record.metadata.ownerId, context);
  try {
    await dropCached(ctx, record.keyHash);
  } catch (error) {
    throw createApiKeyError(ApiKeyErrorCode.CACHE_ERROR, error);
  }
}
