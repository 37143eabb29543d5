import { digestsEqual } from '@elyzor/core';
import { resolveConfig } from './config.js';
import { ApiKeyErrorCode, createApiKeyError, storageCall } from './errors.js';
import { isExpired } from './expiration.js';
import { extractKeyFromHeaders, hasApiKey, type KeyExtractionOptions } from './extract-key.js';
import { coversFor, hasAllScopesWithResources, hasAnyScopeWithResources, hasScopeWithResources, type ScopeCheckOptions } from './scopes.js';
import type {
  ActionContext,
  ApiKeyMetadata,
  ApiKeyRecord,
  AuditLog,
  AuditLogQuery,
  AuditLogStats,
  ConfigInput,
  HeadersLike,
  VerifyLimits,
  VerifyOptions,
  VerifyResult,
} from './types.js';
import { createCtx, dropCached, mustFind, nowIso, type Ctx } from './verbs/context.js';
import { create } from './verbs/create.js';
import { countLogs, deleteLogs, getLogs, getLogStats } from './verbs/logs.js';
import { peekLimits } from './verbs/peek-limits.js';
import { restore } from './verbs/restore.js';
import { revoke, revokeAll, type RevokeOptions } from './verbs/revoke.js';
import { rotate, type RotateOptions } from './verbs/rotate.js';
import { setEnabled, type ToggleOptions } from './verbs/toggle.js';
import { update, type UpdateChanges } from './verbs/update.js';
import { findBySlowHash, verify } from './verbs/verify.js';

/**
 * keypal's manager, method for method. Each verb lives in its own file under `verbs/`, over the
 * `Storage` interface; this class only holds the resolved config and delegates.
 */
export class ApiKeyManager {
  private readonly ctx: Ctx;

  constructor(config: ConfigInput = {}) {
    this.ctx = createCtx(resolveConfig(config));
  }

  generateKey(): string {
    return this.ctx.format.generate();
  }

  hashKey(key: string): string {
    return this.ctx.hash(key);
  }

  /** Constant-time: does `key` hash to `storedHash`? */
  validateKey(key: string, storedHash: string): boolean {
    return digestsEqual(this.ctx.hash(key), storedHash);
  }

  extractKey(headers: HeadersLike, options: KeyExtractionOptions = {}): string | null {
    return extractKeyFromHeaders(headers, {
      headerNames: options.headerNames ?? this.ctx.headerNames,
      extractBearer: options.extractBearer ?? this.ctx.extractBearer,
    });
  }

  hasKey(headers: HeadersLike, options: KeyExtractionOptions = {}): boolean {
    return hasApiKey(headers, {
      headerNames: options.headerNames ?? this.ctx.headerNames,
      extractBearer: options.extractBearer ?? this.ctx.extractBearer,
    });
  }

  verify(keyOrHeaders: string | HeadersLike, options: VerifyOptions = {}): Promise<VerifyResult> {
    return verify(this.ctx, keyOrHeaders, options);
  }

  async verifyFromHeaders(headers: HeadersLike, options?: VerifyOptions): Promise<ApiKeyRecord | null> {
    const result = await this.verify(headers, options);
    return result.valid ? (result.record ?? null) : null;
  }

  create(metadata: Partial<ApiKeyMetadata>, context?: ActionContext): Promise<{ key: string; record: ApiKeyRecord }> {
    return create(this.ctx, metadata, context);
  }

  findById(id: string): Promise<ApiKeyRecord | null> {
    return storageCall(() => this.ctx.storage.findById(id));
  }

  findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return storageCall(() => this.ctx.storage.findByHash(keyHash));
  }

  /** Elyzor: the record of a key, whatever `algorithm` hashed it (no check of its state). */
  findByKey(key: string): Promise<ApiKeyRecord | null> {
    const slow = this.ctx.slow;
    if (slow === null) return this.findByHash(this.ctx.hash(key));
    return storageCall(() => findBySlowHash(slow, this.ctx.storage, key));
  }

  /**
   * Elyzor: resolves once the config's hashing library is loaded (`algorithm: 'bcrypt' | 'argon2'`
   * load theirs on first use); rejects, naming the package, when it is not installed.
   */
  async ready(): Promise<void> {
    await this.ctx.slow?.ready();
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return storageCall(() => this.ctx.storage.findByTag(tag, ownerId));
  }

  findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    return storageCall(() => this.ctx.storage.findByTags(tags, ownerId));
  }

  list(ownerId: string): Promise<ApiKeyRecord[]> {
    return storageCall(() => this.ctx.storage.findByOwner(ownerId));
  }

  enable(id: string, context?: ActionContext, options?: ToggleOptions): Promise<void> {
    return setEnabled(this.ctx, id, true, context, options);
  }

  disable(id: string, context?: ActionContext, options?: ToggleOptions): Promise<void> {
    return setEnabled(this.ctx, id, false, context, options);
  }

  rotate(
    id: string,
    metadata?: Partial<ApiKeyMetadata>,
    context?: ActionContext,
    options?: RotateOptions,
  ): Promise<{ key: string; record: ApiKeyRecord; oldRecord: ApiKeyRecord }> {
    return rotate(this.ctx, id, metadata, context, options);
  }

  revoke(id: string, context?: ActionContext, options?: RevokeOptions): Promise<void> {
    return revoke(this.ctx, id, context, options);
  }

  revokeAll(ownerId: string, context?: ActionContext): Promise<void> {
    return revokeAll(this.ctx, ownerId, context);
  }

  /** Elyzor: undoes `revoke` (not a rotation's retirement); NOT_REVOKED for a key that is not revoked. */
  restore(id: string, context?: ActionContext): Promise<void> {
    return restore(this.ctx, id, context);
  }

  /** Elyzor: where the key's rate limit, quota and credits stand, spending nothing. */
  getLimits(id: string): Promise<VerifyLimits> {
    return peekLimits(this.ctx, id);
  }

  /** Elyzor: changes a live key's IP rules or attributes, or starts its limit counters afresh. */
  update(id: string, changes: UpdateChanges, context?: ActionContext): Promise<void> {
    return update(this.ctx, id, changes, context);
  }

  async updateLastUsed(id: string): Promise<void> {
    await storageCall(() => mustFind(this.ctx, id));
    await storageCall(() => this.ctx.storage.updateMetadata(id, { lastUsedAt: nowIso(this.ctx) }));
  }

  /** Elyzor: successful verifications of a key counted by `autoTrackUsage` (after pending writes land). */
  async getUsage(id: string): Promise<number> {
    await this.ctx.tracker.flush();
    return storageCall(() => this.ctx.usage.get(id));
  }

  /** Elyzor: waits until the usage marks of past verifications (lastUsedAt, counts) are written. */
  flushUsage(): Promise<void> {
    return this.ctx.tracker.flush();
  }

  async getLogs(query: AuditLogQuery = {}): Promise<AuditLog[]> {
    return getLogs(this.ctx, query);
  }

  async countLogs(query: AuditLogQuery = {}): Promise<number> {
    return countLogs(this.ctx, query);
  }

  async deleteLogs(query: AuditLogQuery): Promise<number> {
    return deleteLogs(this.ctx, query);
  }

  async clearLogs(keyId: string): Promise<number> {
    return deleteLogs(this.ctx, { keyId });
  }

  async getLogStats(ownerId: string): Promise<AuditLogStats> {
    return getLogStats(this.ctx, ownerId);
  }

  async invalidateCache(keyHash: string): Promise<void> {
    try {
      await dropCached(this.ctx, keyHash);
    } catch (error) {
      throw createApiKeyError(ApiKeyErrorCode.CACHE_ERROR, error);
    }
  }

  isExpired(record: ApiKeyRecord): boolean {
    return isExpired(record.metadata.expiresAt, this.ctx.clock.now());
  }

  hasScope(record: ApiKeyRecord | null | undefined, scope: string, options?: ScopeCheckOptions): boolean {
    if (record == null) return false;
    return hasScopeWithResources(record.metadata.scopes, record.metadata.resources, scope, options, this.covers);
  }

  hasAnyScope(record: ApiKeyRecord | null | undefined, scopes: string[], options?: ScopeCheckOptions): boolean {
    if (record == null) return false;
    return hasAnyScopeWithResources(record.metadata.scopes, record.metadata.resources, scopes, options, this.covers);
  }

  hasAllScopes(record: ApiKeyRecord | null | undefined, scopes: string[], options?: ScopeCheckOptions): boolean {
    if (record == null) return false;
    return hasAllScopesWithResources(record.metadata.scopes, record.metadata.resources, scopes, options, this.covers);
  }

  checkResourceScope(record: ApiKeyRecord | null | undefined, resourceType: string, resourceId: string, scope: string): boolean {
    return this.hasScope(record, scope, { resource: `${resourceType}:${resourceId}` });
  }

  checkResourceAnyScope(record: ApiKeyRecord | null | undefined, resourceType: string, resourceId: string, scopes: string[]): boolean {
    return this.hasAnyScope(record, scopes, { resource: `${resourceType}:${resourceId}` });
  }

  checkResourceAllScopes(record: ApiKeyRecord | null | undefined, resourceType: string, resourceId: string, scopes: string[]): boolean {
    return this.hasAllScopes(record, scopes, { resource: `${resourceType}:${resourceId}` });
  }

  private get covers(): (granted: string, required: string) => boolean {
    return coversFor(this.ctx.scopeWildcards);
  }
}

/**
 * A key manager. Throws a `ConfigError` naming the option when the config is malformed.
 *
 * @example
 * const keys = createKeys({ prefix: 'sk_', cache: true });
 * const { key } = await keys.create({ ownerId: 'user_123', scopes: ['read'] });
 * (await keys.verify(key)).valid; // true
 */
export function createKeys(config: ConfigInput = {}): ApiKeyManager {
  return new ApiKeyManager(config);
}
