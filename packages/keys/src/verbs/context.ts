import type { Resolved } from '../config.js';
import { ApiKeyErrorCode, createApiKeyError } from '../errors.js';
import { isRevoked } from '../expiration.js';
import type { ActionContext, ApiKeyRecord, AuditAction, AuditLog } from '../types.js';
import { DEFAULT_ALPHABET, randomString } from '../key.js';
import { UsageTracker } from './track.js';

/**
 * What every verb works with: the resolved config, plus the cache's bookkeeping. `generation`
 * moves on every invalidation; a verify that read storage before an invalidation does not put
 * what it read into the cache (it could be the record just revoked).
 */
export interface Ctx extends Resolved {
  /**
   * The storage is the in-process one whose every change this manager hears (`inProcess` and
   * `onChange`), so a cache hit can be trusted as it is. Otherwise another process, or SQL, may
   * have revoked or deleted the key since it was cached: a hit reads the record again by id.
   */
  trusted: boolean;
  generation: number;
  tracker: UsageTracker;
}

export function createCtx(resolved: Resolved): Ctx {
  const ctx: Ctx = { ...resolved, trusted: resolved.storage.inProcess === true && typeof resolved.storage.onChange === 'function', generation: 0, tracker: new UsageTracker(resolved) };
  resolved.storage.onChange?.((keyHash) => {
    ctx.generation++;
    // The store already changed; a cache that cannot be reached forgets at its TTL.
    dropCached(ctx, keyHash).catch(() => undefined);
  });
  return ctx;
}

export const cacheKey = (keyHash: string): string => `apikey:${keyHash}`;

function isFullRecord(value: unknown): value is ApiKeyRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.keyHash === 'string' && typeof r.metadata === 'object' && r.metadata !== null;
}

/**
 * The cached record for `keyHash`, or undefined. A cache that fails, or holds something else
 * (a keypal deployment's smaller cache entries, say), is a miss: storage answers instead.
 */
export async function readCached(ctx: Ctx, keyHash: string): Promise<ApiKeyRecord | undefined> {
  if (ctx.cache === null) return undefined;
  try {
    const raw = await ctx.cache.get(cacheKey(keyHash));
    if (raw === null) return undefined;
    const value: unknown = JSON.parse(raw);
    return isFullRecord(value) && value.keyHash === keyHash ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCached(ctx: Ctx, record: ApiKeyRecord): Promise<void> {
  try {
    if (ctx.memory !== null) ctx.memory.setValue(cacheKey(record.keyHash), record, ctx.cacheTtl);
    else await ctx.cache?.set(cacheKey(record.keyHash), JSON.stringify(record), ctx.cacheTtl);
  } catch {
    // A cache that cannot be written only costs the next verify a storage read.
  }
}

export async function dropCached(ctx: Ctx, keyHash: string): Promise<void> {
  ctx.generation++;
  if (ctx.cache !== null) await ctx.cache.del(cacheKey(keyHash));
}

export const nowIso = (ctx: Ctx): string => new Date(ctx.clock.now()).toISOString();

/** Ids as keypal makes them: 21 URL-safe characters. */
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
/** The first character is alphanumeric, never `-` or `_`: an id given to a command line is never read as an option. */
export const newId = (): string => randomString(DEFAULT_ALPHABET, 1) + randomString(ID_ALPHABET, 20);

/** The record, or KEY_NOT_FOUND. */
export async function mustFind(ctx: Ctx, id: string): Promise<ApiKeyRecord> {
  const record = await ctx.storage.findById(id);
  if (record === null) throw createApiKeyError(ApiKeyErrorCode.KEY_NOT_FOUND);
  return record;
}

/** Revoked, or on its way out (a rotated key in its grace period): not to be modified. */
export function isRetired(ctx: Ctx, record: ApiKeyRecord): boolean {
  return isRevoked(record.metadata.revokedAt, ctx.clock.now()) || (record.metadata.rotatedTo ?? null) !== null;
}

/** Writes an audit entry when audit logging is on; a failed write never fails the action. */
export async function logAction(ctx: Ctx, action: AuditAction, keyId: string, ownerId: string, context?: ActionContext): Promise<void> {
  if (!ctx.auditLogs || ctx.storage.saveLog === undefined) return;
  const defaults = ctx.auditContext;
  const merged: Record<string, unknown> = { ...defaults, ...context };
  if (defaults?.metadata !== undefined || context?.metadata !== undefined) merged.metadata = { ...defaults?.metadata, ...context?.metadata };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const log: AuditLog = { id: newId(), action, keyId, ownerId, timestamp: nowIso(ctx) };
  if (Object.keys(merged).length > 0) log.data = merged;
  try {
    await ctx.storage.saveLog(log);
  } catch {
    // keypal's rule: the audit trail is best-effort, the action itself has happened.
  }
}

/** After a revocation in Redis storage: the record expires `revokedKeyTtl` after it stops verifying. */
export async function expireRevoked(ctx: Ctx, id: string, graceSeconds: number): Promise<void> {
  const storage = ctx.storage as { setTtl?: (id: string, seconds: number) => Promise<void> };
  if (ctx.revokedKeyTtl <= 0 || typeof storage.setTtl !== 'function') return;
  try {
    await storage.setTtl(id, Math.ceil(ctx.revokedKeyTtl + graceSeconds));
  } catch {
    // The record stays; it is revoked either way.
  }
}
