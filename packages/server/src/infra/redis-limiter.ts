import type { Redis } from 'ioredis';
import {
  decodeLimiterReply,
  encodeLimiterRun,
  LIMITER_COMMAND,
  LIMITER_SCRIPT,
  TurnBatch,
  type LimitCheck,
  type LimiterCall,
  type Limiter,
  type LimitResult,
  type TimedLimitResult,
} from '@elyzor/core';

// The script text and its encoding live in core (limiter/redis-script.ts), shared with the
// embeddable library; these names stay importable from here for the server's code and tests.
export { LIMITER_COMMAND, type TimedLimitResult } from '@elyzor/core';

/**
 * Redis implementation of `Limiter`. One Lua script applies every check of a `consume` call:
 * Redis runs a script to completion before serving anything else, so the read-decide-write is
 * atomic across all instances sharing the server, and 500 concurrent calls at a limit of 100
 * admit exactly 100.
 *
 * The script, which mirrors `rules.ts` operation by operation, and its state encoding are
 * described in core's `limiter/redis-script.ts`.
 *
 * The time is Redis's (`TIME`, in whole milliseconds), so instances with skewed clocks agree.
 *
 * Calls are batched: the `consume` calls made while the event loop works through one round of
 * I/O leave together, as one script run (one write, one reply, one script invocation) that
 * decides each call in turn, all-or-nothing per call, exactly as separate runs in that order
 * would. Under load this turns a Redis round trip per verification into one per loop turn.
 *
 * All keys of one run are passed as KEYS, so a Redis Cluster needs them in one hash slot (a
 * prefix with a hash tag); a single server or a replicated primary has no such constraint.
 */

type ScriptCommand = (numberOfKeys: number, ...args: string[]) => Promise<unknown>;

export interface RedisLimiterOptions {
  /** Prepended to every key; default `elyzor:`. */
  prefix?: string;
  /** When true, `close()` quits the client. */
  ownsClient?: boolean;
}

/** The most calls one script run decides; Redis serves nothing else while a script runs. */
const MAX_CALLS_PER_RUN = 128;

export class RedisLimiter implements Limiter {
  private readonly prefix: string;
  private readonly ownsClient: boolean;
  private readonly run: ScriptCommand;
  private readonly runs: TurnBatch<LimiterCall, TimedLimitResult>;

  constructor(private readonly client: Redis, options: RedisLimiterOptions = {}) {
    this.prefix = options.prefix ?? 'elyzor:';
    this.ownsClient = options.ownsClient ?? false;
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (after a Redis restart or
    // SCRIPT FLUSH). Redefining it on a shared client is harmless: the script is the same.
    client.defineCommand(LIMITER_COMMAND, { lua: LIMITER_SCRIPT });
    const command = (client as unknown as Record<string, ScriptCommand | undefined>)[LIMITER_COMMAND];
    if (command === undefined) throw new Error('ioredis did not define the limiter script');
    this.run = command.bind(client);
    this.runs = new TurnBatch((calls) => this.send(calls), MAX_CALLS_PER_RUN);
  }

  async consume(checks: readonly LimitCheck[], cost: number): Promise<LimitResult> {
    return (await this.consumeTimed(checks, cost)).result;
  }

  consumeTimed(checks: readonly LimitCheck[], cost: number): Promise<TimedLimitResult> {
    if (checks.length === 0) {
      // Nothing to decide; MemoryLimiter admits such a call too. Skip the round trip.
      return Promise.resolve({ result: { allowed: true, decisions: [], failed: -1 }, now: Date.now() });
    }
    return this.runs.add({ checks, cost });
  }

  /** One script run deciding `calls` in order. */
  private async send(calls: readonly LimiterCall[]): Promise<TimedLimitResult[]> {
    const { keys, args } = encodeLimiterRun(calls, this.prefix);
    return decodeLimiterReply(await this.run(keys.length, ...keys, ...args), calls);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit();
  }
}
