import type { Clock } from '../clock.js';
import { applyRule, type LimitDecision, type LimitRule, type LimitState, type RuleOutcome } from './rules.js';

export interface LimitCheck {
  /** Storage key of the counter, e.g. `rl:<credentialId>`. */
  key: string;
  rule: LimitRule;
  /**
   * This check's own cost, instead of the call's. A cost of 0 is a probe: it is refused only
   * when the counter is already past the rule's limit, and it spends nothing (a guard such as
   * "this address has failed too often" is probed on every request and spent on failures).
   */
  cost?: number;
}

export interface LimitResult {
  /** True when every check admitted the request; then, and only then, every counter was spent. */
  allowed: boolean;
  /** One decision per check, in order. */
  decisions: LimitDecision[];
  /** Index of the first check that refused, or -1. */
  failed: number;
}

/**
 * Applies a list of checks atomically: all of them are spent, or none. The in-process and the
 * Redis implementations make the same decisions (see `rules.ts`).
 */
export interface Limiter {
  consume(checks: readonly LimitCheck[], cost: number): Promise<LimitResult>;
  /**
   * The same decision made without a promise, offered only by limiters that decide in process:
   * the verification path then answers a cached credential without suspending at all.
   */
  consumeSync?(checks: readonly LimitCheck[], cost: number): LimitResult;
  close(): Promise<void>;
}

interface Entry {
  state: LimitState;
  expiresAt: number;
}

/**
 * In-process limiter. JavaScript runs one callback at a time, so a check-and-spend done
 * synchronously is atomic: 500 concurrent requests at a limit of 100 give exactly 100 successes.
 */
export class MemoryLimiter implements Limiter {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clock: Clock, sweepEveryMs = 30_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweeper.unref();
  }

  consumeSync(checks: readonly LimitCheck[], cost: number): LimitResult {
    const now = this.clock.now();
    const decisions: LimitDecision[] = [];
    // Decided first, spent after, so that a refusal spends nothing: the outcomes are kept in
    // order, the first (most calls have one check) without an array of its own.
    let first: RuleOutcome | null = null;
    let more: RuleOutcome[] | null = null;
    let failed = -1;
    for (let i = 0; i < checks.length; i++) {
      const { key, rule, cost: own } = checks[i] as LimitCheck;
      const entry = this.entries.get(key);
      const state = entry !== undefined && entry.expiresAt > now ? entry.state : undefined;
      const outcome = applyRule(state, rule, now, own ?? cost);
      decisions.push(outcome.decision);
      if (!outcome.decision.allowed && failed === -1) failed = i;
      if (i === 0) first = outcome;
      else (more ??= []).push(outcome);
    }
    if (failed === -1) {
      for (let i = 0; i < checks.length; i++) {
        const check = checks[i] as LimitCheck;
        // A probe spends nothing, so it leaves the stored state alone.
        if ((check.cost ?? cost) > 0) this.store(check.key, (i === 0 ? first : more?.[i - 1]) as RuleOutcome, now);
      }
    }
    return { allowed: failed === -1, decisions, failed };
  }

  /** Keeps a counter's next state, in its entry when it has one (no new entry per request). */
  private store(key: string, outcome: RuleOutcome, now: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { state: outcome.next, expiresAt: now + outcome.ttlMs });
      return;
    }
    entry.state = outcome.next;
    entry.expiresAt = now + outcome.ttlMs;
  }

  consume(checks: readonly LimitCheck[], cost: number): Promise<LimitResult> {
    return Promise.resolve(this.consumeSync(checks, cost));
  }

  /**
   * Gives back `units` spent on a sliding-window counter (a provisional spend that turned out
   * not to count). Never takes a counter below zero.
   */
  refund(key: string, units: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    const [windowStart, current, previous] = entry.state;
    const fromCurrent = Math.min(current, units);
    entry.state = [windowStart, current - fromCurrent, Math.max(0, previous - (units - fromCurrent))];
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    return Promise.resolve();
  }

  /** Number of live counters; for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
