import type { Clock } from '@elyzor/core';
import type { DenylistRecord, TokenDenylist } from './denylist.js';

export interface LayeredDenylistOptions {
  /** After a fast-path failure, how long to wait before copying the record into it again. */
  retryMs: number;
}

/**
 * Denied access tokens with the database as the source of truth and Redis as the fast path.
 *
 * Every denial is written to the database first (a logout that cannot be recorded fails), then
 * to Redis, best effort. While this instance knows Redis to hold every entry of the database it
 * answers `has` from Redis alone; after any Redis failure it answers from the database instead,
 * and trusts Redis again only once it has copied the database's live entries back into it (a
 * Redis that restarted empty, or missed denials written during the outage, is made whole). So
 * an outage of Redis neither lets a denied token in nor stops the management API: logouts and
 * checks go to the database until Redis is back.
 *
 * The trust is per instance: an instance that never lost Redis keeps reading it, so a denial
 * written by another instance while only that one could not reach Redis is seen once that one
 * reconnects and copies its record over (a partition, not an outage of Redis).
 */
export class LayeredDenylist implements TokenDenylist {
  /** True while Redis is known to hold every live entry of the record. */
  private trusted = false;
  /** Grows with every Redis failure: a copy that raced a failure does not restore trust. */
  private failures = 0;
  private nextCopyAt = 0;
  private copying: Promise<void> | null = null;

  constructor(
    private readonly record: DenylistRecord,
    private readonly fast: TokenDenylist,
    private readonly clock: Clock,
    private readonly options: LayeredDenylistOptions,
  ) {}

  /** True when `has` is answered by Redis (for health and metrics). */
  get fastPath(): boolean {
    return this.trusted;
  }

  async add(jti: string, expiresAt: Date): Promise<void> {
    await this.record.add(jti, expiresAt);
    try {
      await this.fast.add(jti, expiresAt);
    } catch {
      this.distrust();
    }
  }

  async has(jti: string): Promise<boolean> {
    if (this.trusted) {
      try {
        return await this.fast.has(jti);
      } catch {
        this.distrust();
      }
    } else {
      this.copyWhenDue();
    }
    return this.record.has(jti);
  }

  async close(): Promise<void> {
    await this.copying;
    await Promise.allSettled([this.record.close(), this.fast.close()]);
  }

  /**
   * The connection to Redis closed: whatever happened while it was away (a restart that lost
   * its data, writes of other instances that failed), Redis is no longer known to be whole.
   */
  fastPathLost(): void {
    this.distrust();
  }

  private distrust(): void {
    this.trusted = false;
    this.failures++;
    this.nextCopyAt = this.clock.now() + this.options.retryMs;
  }

  /** Starts copying the record into Redis in the background, at most once per `retryMs`. */
  private copyWhenDue(): void {
    if (this.copying !== null || this.clock.now() < this.nextCopyAt) return;
    const failuresAtStart = this.failures;
    this.copying = (async () => {
      try {
        const entries = await this.record.live();
        await Promise.all(entries.map((entry) => this.fast.add(entry.jti, entry.expiresAt)));
        // A denial whose Redis write failed while we copied may be missing from Redis.
        if (this.failures === failuresAtStart) this.trusted = true;
      } catch {
        this.distrust();
      } finally {
        this.copying = null;
      }
    })();
  }
}
