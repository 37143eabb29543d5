import type { CredentialRecord, LimitCheck, MemoryLimiter } from '@elyzor/core';
import { OverBudgetLookups, type FindRecords } from './over-budget-lookups.js';

export interface VerifyGateLimits {
  /** Verifications per address per window, whatever they present; null: no such budget. */
  verify: number | null;
  /** Verifications with an unknown or malformed credential per address per window. */
  verifyFailures: number;
  /** The most uncached ids one store query of an address over its failure budget reads. */
  overBudgetBatch: number;
  /** The most uncached ids of an address over its failure budget waiting for (or in) a query. */
  overBudgetQueue: number;
  /** The most such queries in flight at once, all addresses together. */
  overBudgetQueries: number;
  windowSeconds: number;
}

/**
 * What the gate lets one verification do:
 * - `refused`: the address's verify budget is spent; 429 without any work.
 * - `open`: within both budgets; a failure unit is spent provisionally and `settle` decides
 *   whether it stays spent.
 * - `over_budget`: the failure budget is spent. Credentials known to be valid still verify (from
 *   the cache, or read through `admitLookup`: the address's batched lookups); anything unknown or
 *   malformed is answered 429 with `retryAfter`.
 */
export type GatePass =
  | { kind: 'refused'; retryAfter: number }
  | { kind: 'open' }
  | { kind: 'over_budget'; retryAfter: number; admitLookup: () => ((publicId: string) => Promise<CredentialRecord | null>) | null };

const OPEN: GatePass = { kind: 'open' };

/** An address's two counters and the check lists that spend them, made once per address. */
interface AddressChecks {
  failKey: string;
  /** The verify budget and the failure budget, or the failure budget alone when the verify budget is off. */
  both: readonly LimitCheck[];
  /** The verify budget alone; null when it is off (`IP_RATE_LIMIT_VERIFY` unset). */
  verifyOnly: readonly LimitCheck[] | null;
}

/**
 * Addresses whose checks are kept. Past this many the memo starts again empty: it saves the
 * building (and hashing) of the counter names per request, it is not where limits live.
 */
const MAX_REMEMBERED_ADDRESSES = 10_000;

const seconds = (ms: number | undefined): number => Math.max(1, Math.ceil((ms ?? 1000) / 1000));

/**
 * The per-address gate of both verify endpoints, decided in process (no Redis round trip, so a
 * flood of garbage costs a map lookup). These limits are per instance by design: they guard the
 * instance, not an account.
 *
 * Every request spends a unit of the address's verify budget and, provisionally, of its failure
 * budget; `settle` gives the failure unit back when the verification did not fail. Spending
 * before the lookup means a burst of concurrent unknown keys cannot all pass before the first
 * one is counted.
 *
 * A spent failure budget must not be a kill switch: the calling address is the protected API's
 * own, so junk sent through it would otherwise refuse every valid key of every customer. Past
 * the budget, malformed strings are still refused before any lookup (the verifier's checksum),
 * cached credentials are answered from the cache, and a well-formed id that is not cached is
 * read in a batch with the address's other misses (`OverBudgetLookups`): one query of many ids
 * at a time per address, each id once (negative cache, single flight), and only an address whose
 * queue is full has ids refused. Junk with valid checksums then costs the store a few batched
 * primary-key reads, and cannot crowd out the real credentials sent along with it.
 */
export class VerifyGate {
  /** The store reads of addresses over their failure budget. */
  readonly lookups: OverBudgetLookups;
  private readonly checks = new Map<string, AddressChecks>();

  constructor(
    private readonly limiter: MemoryLimiter,
    private readonly limits: VerifyGateLimits,
    find: FindRecords,
  ) {
    this.lookups = new OverBudgetLookups(find, { batch: limits.overBudgetBatch, queue: limits.overBudgetQueue, queries: limits.overBudgetQueries });
  }

  enter(ip: string): GatePass {
    const checks = this.checksOf(ip);
    if (checks.verifyOnly === null) {
      // No verify budget: only the failure budget decides.
      const spent = this.limiter.consumeSync(checks.both, 1);
      if (spent.allowed) return OPEN;
      return { kind: 'over_budget', retryAfter: seconds(spent.decisions[0]?.retryAfterMs), admitLookup: () => this.lookups.admit(ip) };
    }
    const both = this.limiter.consumeSync(checks.both, 1);
    if (both.allowed) return OPEN;
    if (both.failed === 0) return { kind: 'refused', retryAfter: seconds(both.decisions[0]?.retryAfterMs) };
    // Only the failure budget is spent: the request still counts against the verify budget.
    const alone = this.limiter.consumeSync(checks.verifyOnly, 1);
    if (!alone.allowed) return { kind: 'refused', retryAfter: seconds(alone.decisions[0]?.retryAfterMs) };
    return { kind: 'over_budget', retryAfter: seconds(both.decisions[1]?.retryAfterMs), admitLookup: () => this.lookups.admit(ip) };
  }

  /**
   * After an `open` verification: only an unknown or malformed credential keeps its failure
   * unit. A verification that could not be answered (a backend out of reach, 503) is not a
   * failure of the caller's and gives it back too.
   */
  settle(ip: string, pass: GatePass, failed: boolean): void {
    if (pass.kind === 'open' && !failed) this.limiter.refund(this.checksOf(ip).failKey, 1);
  }

  private checksOf(ip: string): AddressChecks {
    let checks = this.checks.get(ip);
    if (checks === undefined) {
      const { limits } = this;
      const windowMs = limits.windowSeconds * 1000;
      const failKey = `ip:fail:${ip}`;
      const fail: LimitCheck = { key: failKey, rule: { type: 'sliding_window', limit: limits.verifyFailures, windowMs } };
      if (limits.verify === null) {
        checks = { failKey, both: [fail], verifyOnly: null };
      } else {
        const verify: LimitCheck = { key: `ip:verify:${ip}`, rule: { type: 'sliding_window', limit: limits.verify, windowMs } };
        checks = { failKey, both: [verify, fail], verifyOnly: [verify] };
      }
      if (this.checks.size >= MAX_REMEMBERED_ADDRESSES) this.checks.clear();
      this.checks.set(ip, checks);
    }
    return checks;
  }
}
