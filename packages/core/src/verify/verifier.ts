import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import { digestsEqual, type Digester } from '../keys/digest.js';
import { parseCredential, type ParsedCredential } from '../keys/key-format.js';
import { isUnkeyLookupId, parseUnkeyKey } from '../keys/unkey-format.js';
import type { LimitCheck, Limiter, LimitResult } from '../limiter/limiter.js';
import type { LimitDecision, LimitRule } from '../limiter/rules.js';
import type { UsageSink } from '../usage.js';
import type { CredentialCache } from './credential-cache.js';
import type { ForeignKeys } from './foreign-keys.js';
import { decide, type PolicyRequest } from './decide.js';
import type { VerifyOutcome } from './outcome.js';
import { LimitPlan } from './limit-plan.js';
import type { CredentialKind, CredentialRecord } from './record.js';

export { creditsWindow, quotaWindow } from './limit-plan.js';

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
  /**
   * Whether keys not of Elyzor's format exist here: when it says none, `verify` refuses a string
   * not of Elyzor's format without its hash or a lookup. Without it, such a string is always
   * looked up by its hash.
   */
  foreignKeys?: ForeignKeys | undefined;
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
  /** A permission query checked where scopes are (see `PolicyRequest.permits`). */
  permits?: PolicyRequest['permits'];
  /** Units of credits this request spends when they differ from `cost` (Unkey's `credits.cost`). */
  creditsCost?: number | undefined;
  /**
   * When set, a cache miss reaches the store only through what this returns: the lookup to read
   * it with (in place of `VerifierDeps.lookup`), or null to refuse it. A refused lookup is
   * answered `invalid_key` (the credential is not known to be valid). The server reads the misses
   * of an address that has spent its failure budget in bounded batches with it; cached
   * credentials never ask, and the cache's single flight and negative entries still apply.
   */
  admitLookup?: (() => ((publicId: string) => Promise<CredentialRecord | null>) | null) | undefined;
  /**
   * Limits beside the credential's own (an identity's, shared by all its keys), spent in the same
   * atomic step and checked before quota and credits: a call they refuse spends nothing, and is
   * `rate_limit_exceeded`. Their decisions are in `VerifyResult.limits`, in order.
   */
  limits?: readonly LimitCheck[] | undefined;
  /** `performance.now()` when the caller began the verification, for its usage latency; read here when absent. */
  startedMs?: number | undefined;
}

export interface VerifyResult {
  outcome: VerifyOutcome;
  /** The credential, when the presented string was authentic. */
  record: CredentialRecord | null;
  rateLimit: LimitDecision | null;
  quota: LimitDecision | null;
  credits: LimitDecision | null;
  /** The decisions of `VerifyRequest.limits`, in order, when they were checked. */
  limits?: LimitDecision[] | undefined;
  /** For 429: how long to wait. */
  retryAfterMs: number;
  missingScopes?: string[] | undefined;
}

const TYPE_OF_KIND = { key: 'sk', service: 'svc' } as const;

/**
 * The verification path: parse + checksum → cache (or store) → digest comparison → policy →
 * limits → usage event. A string not of Elyzor's format may be an API key of Unkey's
 * (`unkey-format.ts`): where such keys exist (`ForeignKeys`), it is looked up by its hash instead,
 * after the fast path has refused it. Everything before the limiter is in memory on a cache hit;
 * the limiter is in memory too with the embedded backend, or one Redis round trip.
 *
 * `verify` answers without suspending whenever nothing has to be waited for: a malformed string,
 * a cached record or cached miss, and an in-process limiter (`Limiter.consumeSync`). Only a
 * cache miss or a limiter across the network returns a promise. Both ways run the same steps.
 */
export class Verifier {
  /**
   * Limits worked out once per record (records are replaced, never changed, when a credential
   * is), kept from a record's second verification on: null marks a record verified once. A flood
   * of distinct keys, each verified once, then costs no plan in memory.
   */
  private readonly plans = new WeakMap<CredentialRecord, LimitPlan | null>();
  private readonly consumeSync: ((checks: readonly LimitCheck[], cost: number) => LimitResult) | null;
  /** The rule of every credential without a rate limit of its own: one object, shared by their plans. */
  private readonly defaultRule: LimitRule;

  constructor(private readonly deps: VerifierDeps) {
    this.consumeSync = deps.limiter.consumeSync?.bind(deps.limiter) ?? null;
    const { limit, windowSeconds } = deps.defaultRateLimit;
    this.defaultRule = { type: 'sliding_window', limit, windowMs: windowSeconds * 1000 };
  }

  /**
   * The verification: its result itself when nothing had to be waited for, else a promise of it
   * (`await` takes either). A backend out of reach rejects the promise.
   */
  verify(request: VerifyRequest): VerifyResult | Promise<VerifyResult> {
    const started = request.startedMs ?? performance.now();
    const parsed = request.token === undefined ? null : (parseCredential(request.token) ?? (request.kind === 'key' && this.foreignKeysMayExist() ? parseUnkeyKey(request.token) : null));
    if (parsed === null || parsed.type !== TYPE_OF_KIND[request.kind]) return rejected('invalid_key', null);
    const cached = this.deps.cache.peek(parsed.publicId);
    if (cached !== undefined) return this.withRecord(request, parsed, cached, started);
    return this.load(parsed.publicId, request.admitLookup).then((found) =>
      found === undefined ? rejected('invalid_key', null) : this.withRecord(request, parsed, found, started),
    );
  }

  /**
   * The credential a presented string is, read through the cache, without deciding or spending
   * anything: for a face that must know whose key it is before it verifies (`/v2` checks that
   * the calling root key may verify keys of that project). Null when unknown or not authentic.
   */
  async find(token: string, kind: CredentialKind): Promise<CredentialRecord | null> {
    const parsed = parseCredential(token) ?? (kind === 'key' ? parseUnkeyKey(token) : null);
    if (parsed === null || parsed.type !== TYPE_OF_KIND[kind]) return null;
    const cached = this.deps.cache.peek(parsed.publicId);
    const found = cached !== undefined ? cached : await this.deps.cache.load(parsed.publicId, this.deps.lookup);
    if (found === null || found.kind !== kind || !digestsEqual(parsed.digest ?? this.deps.digest(parsed.token), found.digest)) return null;
    // A foreign key found here (on any instance it may have been created on): `verify` looks such strings up from now on.
    if (isUnkeyLookupId(found.publicId)) this.deps.foreignKeys?.seen();
    return found;
  }

  private foreignKeysMayExist(): boolean {
    const { foreignKeys } = this.deps;
    return foreignKeys === undefined || foreignKeys.present;
  }

  private withRecord(request: VerifyRequest, parsed: ParsedCredential, found: CredentialRecord | null, started: number): VerifyResult | Promise<VerifyResult> {
    const { deps } = this;
    // A record whose digest does not match is treated exactly as an unknown key.
    const record = found !== null && digestsEqual(parsed.digest ?? deps.digest(parsed.token), found.digest) ? found : null;
    if (record === null) return rejected('invalid_key', null);
    const now = deps.clock.now();
    const policy = decide(record, { kind: request.kind, now, scopes: request.scopes, resource: request.resource, ip: request.ip, permits: request.permits });
    const plan = this.planOf(record);
    if (!policy.ok) {
      const result = rejected(policy.outcome, record);
      result.missingScopes = policy.missingScopes;
      // Probe the credential's rate limit (spending nothing), so even a refusal carries the
      // rate-limit headers.
      const checks = plan.probe();
      if (checks === null) return this.finish(result, started);
      const probe = this.consume(checks, 0);
      if (probe instanceof Promise) return probe.then((p) => this.probed(result, p, started));
      return this.probed(result, probe, started);
    }
    const planned = plan.checksAt(now);
    const cost = request.cost ?? 1;
    const own = request.creditsCost === undefined || plan.creditsIndex === -1 ? planned : withCost(planned, plan.creditsIndex, request.creditsCost);
    const extra = request.limits ?? NO_CHECKS;
    const checks = extra.length === 0 ? own : withExtra(own, plan.rateIndex, extra);
    if (checks.length === 0) return this.finish(admitted(record, plan, null, cost, checks), started);
    const invalidations = deps.cache.invalidationCount;
    const limits = this.consume(checks, cost);
    if (!(limits instanceof Promise)) return this.finish(admitted(record, plan, limits, cost, checks, extra.length), started);
    return limits.then((spent) => {
      // The credential changed while the limiter answered (a revocation on another instance
      // arrives on the bus): decide again on the fresh record so the change is never missed.
      if (deps.cache.invalidationCount === invalidations || deps.cache.peek(parsed.publicId) !== undefined) {
        return this.finish(admitted(record, plan, spent, cost, checks, extra.length), started);
      }
      return deps.cache.load(parsed.publicId, deps.lookup).then((fresh) => {
        const again = decide(fresh, { kind: request.kind, now, scopes: request.scopes, resource: request.resource, ip: request.ip, permits: request.permits });
        if (fresh === null || fresh.digest !== record.digest) return this.finish(rejected('invalid_key', record), started);
        if (!again.ok) return this.finish(rejected(again.outcome, fresh), started);
        return this.finish(admitted(record, plan, spent, cost, checks, extra.length), started);
      });
    });
  }

  private consume(checks: readonly LimitCheck[], cost: number): LimitResult | Promise<LimitResult> {
    return this.consumeSync === null ? this.deps.limiter.consume(checks, cost) : this.consumeSync(checks, cost);
  }

  private probed(result: VerifyResult, probe: LimitResult, started: number): VerifyResult {
    result.rateLimit = probe.decisions[0] ?? null;
    return this.finish(result, started);
  }

  private planOf(record: CredentialRecord): LimitPlan {
    const kept = this.plans.get(record);
    if (kept !== undefined && kept !== null) return kept;
    const plan = new LimitPlan(record, this.rateRule(record));
    this.plans.set(record, kept === undefined ? null : plan);
    return plan;
  }

  /** A cache miss read through the cache (one query per id at a time), if admitted; else undefined. */
  private load(publicId: string, admitLookup: VerifyRequest['admitLookup']): Promise<CredentialRecord | null | undefined> {
    if (admitLookup === undefined) return this.deps.cache.load(publicId, this.deps.lookup);
    // Asked and queued in one step: nothing runs between the admission and the lookup it admits.
    const lookup = admitLookup();
    if (lookup === null) return Promise.resolve(undefined);
    return this.deps.cache.load(publicId, lookup);
  }

  private rateRule(record: CredentialRecord): LimitRule | null {
    const policy = record.rateLimit;
    if (policy === null) return this.defaultRule;
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
        quota: result.quota,
        credits: result.credits,
      });
    }
    return result;
  }
}

const NO_CHECKS: readonly LimitCheck[] = [];

/** The credential's checks with `extra` right after its rate limit (before quota and credits). */
function withExtra(own: readonly LimitCheck[], rateIndex: number, extra: readonly LimitCheck[]): LimitCheck[] {
  const at = rateIndex + 1;
  return [...own.slice(0, at), ...extra, ...own.slice(at)];
}

/**
 * The result of a verification that passed its policy, given what the limiter decided. `extra`
 * checks (`VerifyRequest.limits`) sit right after the credential's rate limit.
 */
function admitted(record: CredentialRecord, plan: LimitPlan, limits: LimitResult | null, cost: number, checks: readonly LimitCheck[], extra = 0): VerifyResult {
  if (limits === null) return { outcome: 'valid', record, rateLimit: null, quota: null, credits: null, retryAfterMs: 0, missingScopes: undefined };
  let outcome: VerifyOutcome = 'valid';
  let retryAfterMs = 0;
  const firstExtra = plan.rateIndex + 1;
  // An index of the credential's own plan, among the checks with the extra ones in.
  const shifted = (index: number): number => (index === -1 || index < firstExtra ? index : index + extra);
  if (!limits.allowed) {
    // Nothing was spent: a check that would have admitted the request still has its units.
    limits.decisions = limits.decisions.map((d, i) => (d.allowed ? { ...d, remaining: d.remaining + (checks[i]?.cost ?? cost) } : d));
    outcome = limits.failed === shifted(plan.quotaIndex) || limits.failed === shifted(plan.creditsIndex) ? 'quota_exceeded' : 'rate_limit_exceeded';
    retryAfterMs = limits.decisions[limits.failed]?.retryAfterMs ?? 1000;
  }
  const { decisions } = limits;
  const at = (index: number): LimitDecision | null => (index === -1 ? null : (decisions[shifted(index)] ?? null));
  const result: VerifyResult = { outcome, record, rateLimit: at(plan.rateIndex), quota: at(plan.quotaIndex), credits: at(plan.creditsIndex), retryAfterMs, missingScopes: undefined };
  if (extra > 0) result.limits = decisions.slice(firstExtra, firstExtra + extra);
  return result;
}

/** The checks with their own cost for the one at `index`. */
function withCost(checks: readonly LimitCheck[], index: number, cost: number): LimitCheck[] {
  return checks.map((check, i) => (i === index ? { ...check, cost } : check));
}

function rejected(outcome: VerifyOutcome, record: CredentialRecord | null): VerifyResult {
  return { outcome, record, rateLimit: null, quota: null, credits: null, retryAfterMs: 0, missingScopes: undefined };
}
