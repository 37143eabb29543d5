import type { LimitDecision, UsageEvent, UsageSink } from '@elyzor/core';

/** Verifications of one credential with one outcome within one UTC minute, counted. */
export interface UsageBucket {
  projectId: string;
  credentialId: string;
  kind: UsageEvent['kind'];
  outcome: UsageEvent['outcome'];
  /** Start of the minute (UTC), ms since the epoch. */
  minute: number;
  /** Verifications counted here. */
  count: number;
  /** Sum of their latencies, ms. */
  latencySum: number;
  /** The latest of their times, ms since the epoch. */
  lastAt: number;
  /** The lowest quota and credits the limiter answered for them (of the latest period), if it counts any. */
  quota?: LimitDecision | null;
  credits?: LimitDecision | null;
}

/**
 * Of two answers for one limit, the one nearer its end: the later period, else the fewer units
 * remaining. A comparison, no allocation: the limiter's answers are kept as they are.
 */
export function lowerOf(kept: LimitDecision | null | undefined, seen: LimitDecision | null | undefined): LimitDecision | null {
  if (seen === null || seen === undefined) return kept ?? null;
  if (kept === null || kept === undefined) return seen;
  if (seen.resetAt !== kept.resetAt) return seen.resetAt > kept.resetAt ? seen : kept;
  return seen.remaining < kept.remaining ? seen : kept;
}

export interface UsageBufferOptions {
  flushIntervalMs: number;
  /** A flush starts as soon as this many buckets wait, and writes at most this many per batch. */
  batchSize: number;
  /**
   * Buckets kept while the database cannot be written. Past this, the oldest are dropped and
   * their events counted in `dropped`: memory stays bounded during a long outage.
   */
  maxBuffered: number;
}

export interface UsageBufferLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Usage events leave the response path here: `record` folds an event into its bucket (one per
 * credential, outcome and minute) with a map lookup and a few increments; a timer (or enough
 * buckets) writes the buckets in bulk. A steady stream of verifications of a few credentials
 * thus costs the database a few rows per minute, not one per verification. A failed write keeps
 * the buckets for the next attempt. `close` writes everything that is left and is what graceful
 * shutdown waits for.
 */
export class UsageBuffer implements UsageSink {
  /**
   * Buckets by `credentialId|outcome|minute`, oldest first (a map iterates in insertion order,
   * and adding to a bucket does not move it): a flush writes from the front, the bound drops
   * from the front.
   */
  private buckets = new Map<string, UsageBucket>();
  /**
   * The bucket the last event went to, while it is still in `buckets`: a steady stream of one
   * credential's verifications then counts without building and hashing a key per event.
   */
  private last: UsageBucket | null = null;
  /** Events in the buckets waiting (not those being written). */
  private count = 0;
  private running: Promise<void> | null = null;
  /** A flush was asked for while one was running: run another pass when it ends. */
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Events dropped because the buffer was full; reported by health and logs. */
  dropped = 0;
  /** Events written since start. */
  written = 0;
  lastError: unknown = null;
  /** Buckets that start a flush without waiting for the timer: a batch, or fewer if the bound is lower. */
  private readonly flushAt: number;

  constructor(
    private readonly write: (buckets: readonly UsageBucket[]) => Promise<void>,
    private readonly options: UsageBufferOptions,
    private readonly log: UsageBufferLogger,
  ) {
    this.flushAt = Math.min(options.batchSize, options.maxBuffered);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record(event: UsageEvent): void {
    const minute = event.at - (event.at % 60_000);
    this.count++;
    const last = this.last;
    const bucket =
      last !== null && last.credentialId === event.credentialId && last.outcome === event.outcome && last.minute === minute
        ? last
        : this.buckets.get(`${event.credentialId}|${event.outcome}|${minute}`);
    if (bucket !== undefined) {
      bucket.count++;
      bucket.latencySum += event.latencyMs;
      if (event.at > bucket.lastAt) bucket.lastAt = event.at;
      if (event.quota != null) bucket.quota = lowerOf(bucket.quota, event.quota);
      if (event.credits != null) bucket.credits = lowerOf(bucket.credits, event.credits);
      this.last = bucket;
      return;
    }
    const key = `${event.credentialId}|${event.outcome}|${minute}`;
    const added: UsageBucket = {
      projectId: event.projectId,
      credentialId: event.credentialId,
      kind: event.kind,
      outcome: event.outcome,
      minute,
      count: 1,
      latencySum: event.latencyMs,
      lastAt: event.at,
      quota: event.quota ?? null,
      credits: event.credits ?? null,
    };
    this.buckets.set(key, added);
    this.last = added;
    if (this.buckets.size > this.options.maxBuffered) this.trim();
    if (this.buckets.size >= this.flushAt && this.running === null && !this.closed) void this.flush();
  }

  /** Events waiting to be written (the sum of the buckets' counts). */
  get size(): number {
    return this.count;
  }

  /** Over the bound, the oldest buckets go and their events are counted as dropped. */
  private trim(): void {
    this.last = null;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= this.options.maxBuffered) return;
      this.buckets.delete(key);
      this.count -= bucket.count;
      this.dropped += bucket.count;
    }
  }

  /**
   * Writes what is buffered now: when it resolves, every event recorded before the call has been
   * written, unless a write failed (then `lastError` says why and the events wait for the next
   * flush). Concurrent calls share one run. Never throws.
   */
  flush(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    if (this.count === 0) return Promise.resolve();
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      // The buckets waiting when the pass starts; those opened during its writes wait for the
      // next pass (asked for by a concurrent flush) or the next tick, so that a steady stream is
      // written at the timer's pace rather than in a tight loop of tiny writes.
      let left = this.buckets.size;
      while (left > 0 && this.buckets.size > 0) {
        const batch = this.take(Math.min(left, this.options.batchSize));
        left -= batch.length;
        let events = 0;
        for (const [, bucket] of batch) events += bucket.count;
        this.count -= events;
        try {
          await this.write(batch.map(([, bucket]) => bucket));
          this.written += events;
          this.lastError = null;
        } catch (error) {
          this.restore(batch);
          this.count += events;
          this.trim();
          if (this.lastError === null) this.log.error({ err: error, buffered: this.count }, 'usage write failed; events kept for retry');
          this.lastError = error;
          return;
        }
      }
    } while (this.again && this.count > 0);
  }

  /** Removes the `n` oldest buckets. */
  private take(n: number): Array<[string, UsageBucket]> {
    const batch: Array<[string, UsageBucket]> = [];
    this.last = null;
    for (const entry of this.buckets) {
      if (batch.length >= n) break;
      batch.push(entry);
      this.buckets.delete(entry[0]);
    }
    return batch;
  }

  /**
   * Puts the buckets of a failed write back in front (they are the oldest), adding to them what
   * was recorded meanwhile under the same keys: no event is counted twice or lost.
   */
  private restore(batch: ReadonlyArray<[string, UsageBucket]>): void {
    const merged = new Map(batch);
    this.last = null;
    for (const [key, bucket] of this.buckets) {
      const older = merged.get(key);
      if (older === undefined) {
        merged.set(key, bucket);
      } else {
        older.count += bucket.count;
        older.latencySum += bucket.latencySum;
        if (bucket.lastAt > older.lastAt) older.lastAt = bucket.lastAt;
        older.quota = lowerOf(older.quota, bucket.quota);
        older.credits = lowerOf(older.credits, bucket.credits);
      }
    }
    this.buckets = merged;
  }

  /** Stops the timer and writes everything left, retrying for up to `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    await this.flush();
    while (this.count > 0 && Date.now() < deadline) {
      // Only a failed write waits before trying again; events recorded during a pass are
      // written at once by the next.
      if (this.lastError !== null) await new Promise((resolve) => setTimeout(resolve, 100));
      await this.flush();
    }
    if (this.count > 0) this.log.warn({ lost: this.count }, 'usage events could not be written before shutdown');
  }
}
