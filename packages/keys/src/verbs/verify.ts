import { ipAllowed } from '@elyzor/core';
import { ApiKeyErrorCode, errorResult } from '../errors.js';
import { extractKeyFromHeaders } from '../extract-key.js';
import { isExpired, isRevoked } from '../expiration.js';
import { limitChecks, limitOutcome, type KeyLimitCheck } from '../limits.js';
import type { ApiKeyRecord, HeadersLike, VerifyLimits, VerifyOptions, VerifyResult } from '../types.js';
import { cacheKey, dropCached, readCached, writeCached, type Ctx } from './context.js';
import { KEY_PREFIX_LENGTH, type SlowHash } from '../slow-hash.js';
import type { Storage } from '../types.js';

const NONE: readonly string[] = Object.freeze([]);
const NO_CHECKS: readonly KeyLimitCheck[] = Object.freeze([]);

/** A key given as a string: keypal strips an exact `Bearer ` scheme and nothing else. */
function keyOf(ctx: Ctx, input: string | HeadersLike, options: VerifyOptions): string | null {
  if (typeof input === 'string') {
    const key = input.startsWith('Bearer ') ? input.slice(7).trim() : input;
    return key === '' ? null : key;
  }
  if (typeof input !== 'object' || input === null) return null;
  return extractKeyFromHeaders(input, {
    headerNames: options.headerNames ?? ctx.headerNames,
    extractBearer: options.extractBearer ?? ctx.extractBearer,
  });
}

/**
 * keypal's checks, in keypal's order (unknown → expired → revoked → disabled), then Elyzor's:
 * IP rules, then rate limit, quota and credits, spent together or not at all (core's limiter).
 * Never throws: a storage or limiter failure answers STORAGE_ERROR.
 */
export async function verify(ctx: Ctx, input: string | HeadersLike, options: VerifyOptions = {}): Promise<VerifyResult> {
  const key = keyOf(ctx, input, options);
  if (key === null) return errorResult(ApiKeyErrorCode.MISSING_KEY);
  if (!ctx.format.accepts(key)) return errorResult(ApiKeyErrorCode.INVALID_FORMAT);
  if (ctx.slow !== null) {
    let found: ApiKeyRecord | null;
    try {
      found = await findBySlowHash(ctx.slow, ctx.storage, key);
    } catch {
      return errorResult(ApiKeyErrorCode.STORAGE_ERROR);
    }
    return found === null ? errorResult(ApiKeyErrorCode.INVALID_KEY) : applyPolicy(ctx, found, options);
  }
  const keyHash = ctx.hash(key);
  const useCache = ctx.cache !== null && options.skipCache !== true;

  let cached: ApiKeyRecord | undefined;
  if (useCache) {
    // The library's MemoryCache hands back the record itself: a hit does not suspend.
    cached = ctx.memory !== null ? (ctx.memory.getValue(cacheKey(keyHash)) as ApiKeyRecord | undefined) : await readCached(ctx, keyHash);
  }
  let record: ApiKeyRecord | null | undefined = cached;
  try {
    if (cached !== undefined && !ctx.trusted) {
      // A storage that another process or SQL can change is read again on a hit (by id, the
      // cheaper lookup), as keypal does: a key revoked or deleted elsewhere never verifies from
      // the cache. Only the memory store's changes are all heard (onChange).
      const fresh = await ctx.storage.findById(cached.id);
      record = fresh !== null && fresh.keyHash === keyHash ? fresh : null;
    }
    if (record === undefined) {
      const generation = ctx.generation;
      record = await ctx.storage.findByHash(keyHash);
      if (record !== null && useCache && generation === ctx.generation && passes(ctx, record)) await writeCached(ctx, record);
    }
  } catch {
    return errorResult(ApiKeyErrorCode.STORAGE_ERROR);
  }
  if (record === null || record.keyHash !== keyHash) {
    if (useCache) await dropCached(ctx, keyHash).catch(() => undefined);
    return errorResult(ApiKeyErrorCode.INVALID_KEY);
  }
  return applyPolicy(ctx, record, options, useCache ? keyHash : null);
}

/**
 * The checks after the lookup, the same for every digest: expiry, revocation, disabled, IP rules,
 * limits, then usage tracking. `cachedAs` is the cache entry to drop when the key is refused.
 */
async function applyPolicy(ctx: Ctx, record: ApiKeyRecord, options: VerifyOptions, cachedAs: string | null = null): Promise<VerifyResult> {
  const now = ctx.clock.now();
  const { metadata } = record;
  const refusal = isExpired(metadata.expiresAt, now)
    ? ApiKeyErrorCode.EXPIRED
    : isRevoked(metadata.revokedAt, now)
      ? ApiKeyErrorCode.REVOKED
      : metadata.enabled === false
        ? ApiKeyErrorCode.DISABLED
        : null;
  if (refusal !== null) {
    if (cachedAs !== null && refusal !== ApiKeyErrorCode.DISABLED) await dropCached(ctx, cachedAs).catch(() => undefined);
    return errorResult(refusal);
  }
  if (
    (metadata.ipAllowlist !== undefined || metadata.ipDenylist !== undefined) &&
    !ipAllowed(options.ip, metadata.ipAllowlist ?? NONE, metadata.ipDenylist ?? NONE)
  ) {
    return errorResult(ApiKeyErrorCode.IP_NOT_ALLOWED);
  }

  // Most keys have no limits: skip building the checks at all (this is the hot path).
  const limited = metadata.rateLimit != null || metadata.quota != null || metadata.credits != null;
  const checks = limited ? limitChecks(record, now) : NO_CHECKS;
  let limits: VerifyLimits | undefined;
  if (checks.length > 0) {
    let outcome: ReturnType<typeof limitOutcome>;
    try {
      outcome = limitOutcome(checks, await ctx.limiter.consume(checks, options.cost ?? 1));
    } catch {
      return errorResult(ApiKeyErrorCode.STORAGE_ERROR);
    }
    if (outcome.refused !== null) return { ...errorResult(outcome.refused), retryAfterMs: outcome.retryAfterMs, limits: outcome.limits };
    limits = outcome.limits;
  }
  if (ctx.autoTrackUsage && options.skipTracking !== true) ctx.tracker.touch(record.id);
  return limits === undefined ? { valid: true, record } : { valid: true, record, limits };
}

/** Only a key that verifies now is cached; the checks run again on every hit anyway. */
function passes(ctx: Ctx, record: ApiKeyRecord): boolean {
  const now = ctx.clock.now();
  const { metadata } = record;
  return !isExpired(metadata.expiresAt, now) && !isRevoked(metadata.revokedAt, now) && metadata.enabled !== false;
}

/**
 * The record of `key` among those stored with its prefix, checked against each salted digest
 * (bcrypt, argon2). A prefix is shared by few keys, usually one; each check costs one hash.
 */
export async function findBySlowHash(slow: SlowHash, storage: Storage, key: string): Promise<ApiKeyRecord | null> {
  if (key.length < KEY_PREFIX_LENGTH || storage.findByKeyPrefix === undefined) return null;
  for (const candidate of await storage.findByKeyPrefix(key.slice(0, KEY_PREFIX_LENGTH))) {
    if (await slow.matches(key, candidate.keyHash)) return candidate;
  }
  return null;
}
