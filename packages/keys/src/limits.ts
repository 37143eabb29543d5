import {
  creditsCounter,
  creditsWindow,
  decodeLimiterReply,
  encodeLimiterRun,
  LIMITER_SCRIPT,
  limitKeyOf,
  MemoryLimiter,
  quotaCounter,
  quotaWindow,
  rateLimitCounter,
  TurnBatch,
  type Clock,
  type LimitCheck,
  type LimitDecision,
  type Limiter,
  type LimiterCall,
  type LimitResult,
  type LimitRule,
  type TimedLimitResult,
} from '@elyzor/core';
import { ApiKeyErrorCode, type ApiKeyErrorCodeValue } from './errors.js';
import type { ApiKeyRecord, LimitState, RedisLike, VerifyLimits } from './types.js';

/** A limiter check, and which of the key's limits it is. */
export type KeyLimitCheck = LimitCheck & { limit: keyof VerifyLimits };

/** The counters of a key's rate limit, quota and credits, as the engine's limiter checks them. */
export function limitChecks(record: ApiKeyRecord, now: number): KeyLimitCheck[] {
  const { rateLimit, quota, credits } = record.metadata;
  // A rotated key's counters follow it: `rotate` gives the new record its predecessor's limitKey.
  const id = limitKeyOf({ id: record.id, limitKey: record.metadata.limitKey ?? null });
  const checks: KeyLimitCheck[] = [];
  if (rateLimit !== undefined && rateLimit !== null) {
    const windowMs = rateLimit.windowSeconds * 1000;
    const rule: LimitRule =
      rateLimit.algorithm === 'token_bucket'
        ? { type: 'token_bucket', limit: rateLimit.limit, windowMs, burst: rateLimit.burst }
        : { type: 'sliding_window', limit: rateLimit.limit, windowMs };
    checks.push({ key: rateLimitCounter(id), rule, limit: 'rateLimit' });
  }
  if (quota !== undefined && quota !== null) {
    checks.push({ key: quotaCounter(id), rule: { type: 'fixed_window', limit: quota.limit, ...quotaWindow(quota, now) }, limit: 'quota' });
  }
  if (credits !== undefined && credits !== null) {
    const setAt = credits.setAt === undefined ? 0 : new Date(credits.setAt).getTime();
    const policy = { remaining: credits.remaining, refill: credits.refill ?? null, setAt };
    // The key changes when the balance is set again, so a top-up starts a fresh count.
    checks.push({ key: creditsCounter(id, setAt), rule: { type: 'fixed_window', ...creditsWindow(policy, now) }, limit: 'credits' });
  }
  return checks;
}

const state = (d: LimitDecision | undefined): LimitState | undefined =>
  d === undefined ? undefined : { limit: d.limit, remaining: d.remaining, resetAt: new Date(d.resetAt).toISOString() };

/** The limits part of a verify answer, and the refusal code when a check refused. */
export function limitOutcome(
  checks: readonly KeyLimitCheck[],
  result: LimitResult,
): { limits: VerifyLimits; refused: ApiKeyErrorCodeValue | null; retryAfterMs: number } {
  const limits: VerifyLimits = {};
  checks.forEach((check, i) => {
    const s = state(result.decisions[i]);
    if (s === undefined) return;
    limits[check.limit] = s;
  });
  if (result.allowed) return { limits, refused: null, retryAfterMs: 0 };
  const failed = checks[result.failed]?.limit;
  const refused = failed === 'rateLimit' ? ApiKeyErrorCode.RATE_LIMIT_EXCEEDED : failed === 'quota' ? ApiKeyErrorCode.QUOTA_EXCEEDED : ApiKeyErrorCode.CREDITS_EXHAUSTED;
  return { limits, refused, retryAfterMs: result.decisions[result.failed]?.retryAfterMs ?? 1000 };
}

export function memoryLimiter(clock: Clock): Limiter {
  return new MemoryLimiter(clock);
}

type ScriptCommand = (numberOfKeys: number, ...args: string[]) => Promise<unknown>;
/** The library's own command name, so it never clashes with a server sharing the client. */
const COMMAND = 'elyzorKeysLimitConsume';

/**
 * Limits in Redis with the service's script (core's `LIMITER_SCRIPT`): every check of a call
 * decided and spent atomically in Redis, the calls of one event-loop turn sent as one run. Exact
 * under any concurrency, across every process that shares the Redis.
 */
export class RedisScriptLimiter implements Limiter {
  private readonly run: ScriptCommand;
  private readonly runs: TurnBatch<LimiterCall, TimedLimitResult>;

  constructor(
    private readonly client: RedisLike,
    private readonly prefix: string,
  ) {
    client.defineCommand(COMMAND, { lua: LIMITER_SCRIPT });
    const command = (client as unknown as Record<string, ScriptCommand | undefined>)[COMMAND];
    if (command === undefined) throw new Error('the Redis client did not define the limiter script');
    this.run = command.bind(client);
    this.runs = new TurnBatch((calls) => this.send(calls), 128);
  }

  async consume(checks: readonly LimitCheck[], cost: number): Promise<LimitResult> {
    if (checks.length === 0) return { allowed: true, decisions: [], failed: -1 };
    return (await this.runs.add({ checks, cost })).result;
  }

  private async send(calls: readonly LimiterCall[]): Promise<TimedLimitResult[]> {
    const { keys, args } = encodeLimiterRun(calls, this.prefix);
    return decodeLimiterReply(await this.run(keys.length, ...keys, ...args), calls);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
