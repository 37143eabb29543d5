import type { UsageEvent, UsageSink } from '@elyzor/core';

export interface UsageBufferOptions {
  flushIntervalMs: number;
  /** A flush starts as soon as this many events wait, and writes at most this many per batch. */
  batchSize: number;
  /**
   * Events kept while the database cannot be written. Past this, the oldest are dropped and
   * counted in `dropped`: memory stays bounded during a long outage.
   */
  maxBuffered: number;
}

export interface UsageBufferLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Usage events leave the response path here: `record` is a push onto an array; a timer (or a
 * full batch) writes them in bulk. A failed write keeps the events for the next attempt.
 * `close` writes everything that is left and is what graceful shutdown waits for.
 */
export class UsageBuffer implements UsageSink {
  /**
   * Events in chunks of at most `batchSize`: recording appends to the last chunk, a flush takes
   * the first. Both ends are O(1), so a full buffer never costs the verification path more
   * than a push (a single array spliced at its front would cost O(n) per event).
   */
  private chunks: UsageEvent[][] = [];
  private count = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Events dropped because the buffer was full; reported by health and logs. */
  dropped = 0;
  /** Events written since start. */
  written = 0;
  lastError: unknown = null;

  constructor(
    private readonly write: (events: readonly UsageEvent[]) => Promise<void>,
    private readonly options: UsageBufferOptions,
    private readonly log: UsageBufferLogger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record(event: UsageEvent): void {
    let last = this.chunks.at(-1);
    if (last === undefined || last.length >= this.options.batchSize) {
      last = [];
      this.chunks.push(last);
    }
    last.push(event);
    this.count++;
    this.trim();
    if (this.chunks.length > 1 && this.running === null && !this.closed) void this.flush();
  }

  get size(): number {
    return this.count;
  }

  /** Over the bound, the oldest chunks go, whole, and are counted as dropped. */
  private trim(): void {
    while (this.count > this.options.maxBuffered && this.chunks.length > 0) {
      const oldest = this.chunks.shift() ?? [];
      this.count -= oldest.length;
      this.dropped += oldest.length;
    }
  }

  /** Writes what is buffered now. Concurrent calls share one run. Never throws. */
  flush(): Promise<void> {
    if (this.running !== null) return this.running;
    if (this.count === 0) return Promise.resolve();
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.count > 0) {
      const batch = this.chunks.shift() ?? [];
      this.count -= batch.length;
      try {
        await this.write(batch);
        this.written += batch.length;
        this.lastError = null;
      } catch (error) {
        // Put the batch back in front, in order, and try again on the next tick.
        this.chunks.unshift(batch);
        this.count += batch.length;
        this.trim();
        if (this.lastError === null) this.log.error({ err: error, buffered: this.count }, 'usage write failed; events kept for retry');
        this.lastError = error;
        return;
      }
    }
  }

  /** Stops the timer and writes everything left, retrying for up to `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    await this.flush();
    while (this.count > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.flush();
    }
    if (this.count > 0) this.log.warn({ lost: this.count }, 'usage events could not be written before shutdown');
  }
}
