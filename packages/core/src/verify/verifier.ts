import { performance } from 'node:perf_hooks';
import { creditsCounter, quotaCounter, rateLimitCounter } from '../limiter/limit-keys.js';
import type { Clock } from '../clock.js';
import { digestsEqual, type Digester } from '../keys/digest.js';
import { parseCredential } from '../keys/key-format.js';
import type { LimitCheck, Limiter } from '../limiter/limiter.js';
import type { LimitDecision, LimitRule } from '../limiter/rules.js';
import type { UsageSink } from '../usage.js';
import type { CredentialCache } from './credential-cache.js';
import { decide } from './decide.js';
import type { VerifyOutcome } from './outcome.js';
import type { CredentialKind, CredentialRecord, CreditsPolicy, QuotaPolicy } from './record.js';

export interface VerifierDeps {
  /** Reads one credential by public id from the store (the cache calls it on a miss). */
  lookup: (publicId: string) => Promise<CredentialRecord | null>;
  cache: CredentialCache;
  limiter: Limiter;
  usage: UsageSink;
  clock: Clock;
  digest: Digester;
  /** Applied to credentials that have no rate limit of their own. */
  defaultRateLimit: { limit: number; windowSeconds: number };
}

export interface VerifyRequest {
  /** The credential string as presented (already taken out of the Authorization header). */
  token: string | undefined;
  kind: CredentialKind;
  scopes?: readonly string[] | undefined;
  resource?: string | undefined;
  ip?: string | undefined;
  /** Units of rate limit and quota this request spends; 1 by default. */
  cost?: number | undefined;
  /**
   * When set, a cache miss reaches the store only if this admits it: it returns the function
   * that ends the lookup, or null to refuse it. A refused lookup is answered `invalid_key` (the
   * credential is not known to be valid). The server bounds the lookups of an address that has
   * spent its failure budget with it; cached credentials never ask.
   */
  admitLookup?: (() => (() => void) | null) | undefined;
}

export interface VerifyResult {
  outcome: VerifyOutcome;
  /** The credential, when the presented string was authentic. */
  record: CredentialRecord | null;
  rateLimit: LimitDecision | null;
  quota: LimitDecision | null;
  credits: LimitDecision | null;
  /** For 429: how long to wait. */
  retryAfterMs: number;
  missingScopes?: string[];
}

const TYPE_OF_KIND = { key: 'sk', service: 'svc' } as const;

interface Window {
  windowStart: number;
  windowEnd: number;
}

function calendarPeriod(period: 'day' | 'month', now: number): Window {
  const date = new Date(now);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  if (period === 'day') {
    const windowStart = Date.UTC(y, m, date.getUTCDate());
    return { windowStart, windowEnd: windowStart + 86_400_000 };
  }
  return { windowStart: Date.UTC(y, m, 1), windowEnd: Date.UTC(y, m + 1, 1) };
}

/** The calendar period (UTC) a quota counts in. */
export function quotaWindow(quota: QuotaPolicy, now: number): Window {
  return calendarPeriod(quota.period, now);
}

/** A balance without refill never resets; this stands for "never". */
const NEVER_MS = 100 * 365 * 86_400_000;

/**
 * Credits as a fixed window: the balance set at `setAt` lasts until the first refill (or
 * forever); each later period starts again at the refill amount.
 */
export function creditsWindow(credits: CreditsPolicy, now: number): Window & { limit: number } {
  if (credits.refill === null) return { windowStart: credits.setAt, windowEnd: credits.setAt + NEVER_MS, limit: credits.remaining };
  const period = calendarPeriod(credits.refill.interval, now);
  if (credits.setAt >= period.windowStart) return { windowStart: credits.setAt, windowEnd: period.windowEnd, limit: credits.remaining };
  return { ...period, limit: credits.refill.amount };
}

/**
 * The verification path: parse + checksum → cache (or store) → digest comparison → policy →
 * limits → usage event. Everything before the limiter is in memory on a cache hit; the limiter is
 * in memory too with the embedded backend, or one Redis round trip.
 */
export class Verifier {
  constructor(private readonly deps: VerifierDeps) {}

  async verify(request: VerifyRequest): Promise<VerifyResult> {
    const started = performance.now();
    const { deps } = this;
    const parsed = request.token === undefined ? null : parseCredential(request.token);
    if (parsed === null || parsed.type !== TYPE_OF_KIND[request.kind]) return rejected('invalid_key', null);

    // A cache hit is answered without suspending: most verifications never wait for anything
    // but the limiter.
    const cached = deps.cache.peek(parsed.publicId);
    const found = cached !== undefined ? cached : await this.load(parsed.publicId, request.admitLookup);
    if (found === undefined) return rejected('invalid_key', null);
    // A record whose digest does not match is treated exactly as an unknown key.
    const record = found !== null && digestsEqual(deps.digest(parsed.token), found.digest) ? found : null;
    const now = deps.clock.now();
    const policy = decide(record, { kind: request.kind, now, scopes: request.scopes, resource: request.resource, ip: request.ip });
    if (record === null) return rejected('invalid_key', null);
    if (!policy.ok) {
      const result = rejected(policy.outcome, record);
      if (policy.missingScopes !== undefined) result.missingScopes = policy.missingScopes;
      // Probe the credential's rate limit (spending nothing), so even a refusal carries the
      // rate-limit headers.
      const rateRule = this.rateRule(record);
      if (rateRule !== null) {
        const probe = await deps.limiter.consume([{ key: rateLimitCounter(record.limitKey), rule: rateRule, cost: 0 }], 0);
        result.rateLimit = probe.decisions[0] ?? null;
      }
      return this.finish(result, started);
    }

    const checks: LimitCheck[] = [];
    const rateRule = this.rateRule(record);
    if (rateRule !== null) checks.push({ key: rateLimitCounter(record.limitKey), rule: rateRule });
    if (record.quota !== null) {
      checks.push({ key: quotaCounter(record.limitKey), rule: { type: 'fixed_window', limit: record.quota.limit, ...quotaWindow(record.quota, now) } });
    }
    if (record.credits !== null) {
      // The key changes when the balance is set again, so a top-up starts a fresh count.
      checks.push({ key: creditsCounter(record.limitKey, record.credits.setAt), rule: { type: 'fixed_window', ...creditsWindow(record.credits, now) } });
    }
    const cost = request.cost ?? 1;
    const invalidations = deps.cache.invalidationCount;
    const limits = checks.length === 0 ? null : await deps.limiter.consume(checks, cost);
    // The credential changed while the limiter answered (a revocation on another instance
    // arrives on the bus): decide again on the fresh record so the change is never missed.
    if (limits !== null && deps.cache.invalidationCount !== invalidations && deps.cache.peek(parsed.publicId) === undefined) {
      const fresh = await deps.cache.load(parsed.publicId, deps.lookup);
      const again = decide(fresh, { kind: request.kind, now, scopes: request.scopes, resource: request.resource, ip: request.ip });
      if (fresh === null || fresh.digest !== record.digest) return this.finish(rejected('invalid_key', record), started);
      if (!again.ok) return this.finish(rejected(again.outcome, fresh), started);
    }
    const decisionOf = (prefix: string): LimitDecision | null => {
      const index = checks.findIndex((check) => check.key.startsWith(prefix));
      return index === -1 || limits === null ? null : (limits.decisions[index] ?? null);
    };
    let outcome: VerifyOutcome = 'valid';
    let retryAfterMs = 0;
    if (limits !== null && !limits.allowed) {
      // Nothing was spent: a check that would have admitted the request still has its units.
      limits.decisions = limits.decisions.map((d, i) => (d.allowed ? { ...d, remaining: d.remaining + (checks[i]?.cost ?? cost) } : d));
      const failed = checks[limits.failed];
      outcome = failed?.key.startsWith('q:') === true || failed?.key.startsWith('c:') === true ? 'quota_exceeded' : 'rate_limit_exceeded';
      retryAfterMs = limits.decisions[limits.failed]?.retryAfterMs ?? 1000;
    }
    return this.finish(
      { outcome, record, rateLimit: decisionOf('rl:'), quota: decisionOf('q:'), credits: decisionOf('c:'), retryAfterMs },
      started,
    );
  }

  /** A cache miss read through the cache (one query per id at a time), if admitted; else undefined. */
  private async load(publicId: string, admitLookup: VerifyRequest['admitLookup']): Promise<CredentialRecord | null | undefined> {
    if (admitLookup === undefined) return this.deps.cache.load(publicId, this.deps.lookup);
    const done = admitLookup();
    if (done === null) return undefined;
    try {
      return await this.deps.cache.load(publicId, this.deps.lookup);
    } finally {
      done();
    }
  }

  private rateRule(record: CredentialRecord): LimitRule | null {
    const policy = record.rateLimit;
    if (policy === null) {
      const { limit, windowSeconds } = this.deps.defaultRateLimit;
      return { type: 'sliding_window', limit, windowMs: windowSeconds * 1000 };
    }
    switch (policy.algorithm) {
      case 'none':
        return null;
      case 'sliding_window':
        return { type: 'sliding_window', limit: policy.limit, windowMs: policy.windowSeconds * 1000 };
      case 'token_bucket':
        return { type: 'token_bucket', limit: policy.limit, windowMs: policy.windowSeconds * 1000, burst: policy.burst };
    }
  }

  /** Records the usage event of an authentic credential and returns the result. */
  private finish(result: VerifyResult, started: number): VerifyResult {
    const record = result.record;
    if (record !== null) {
      this.deps.usage.record({
        projectId: record.projectId,
        credentialId: record.id,
        kind: record.kind,
        outcome: result.outcome,
        latencyMs: performance.now() - started,
        at: this.deps.clock.now(),
      });
    }
    return result;
  }
}

function rejected(outcome: VerifyOutcome, record: CredentialRecord | null): VerifyResult {
  return { outcome, record, rateLimit: null, quota: null, credits: null, retryAfterMs: 0 };
}
