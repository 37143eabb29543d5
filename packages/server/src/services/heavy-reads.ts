import { ElyzorError } from '@elyzor/core';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface HeavyReadOptions {
  /** Reads at once per user on this instance; one more is refused with 429. */
  perUser: number;
  /** PostgreSQL's statement_timeout for each statement of a read. */
  timeoutMs: number;
}

/**
 * The reads whose cost grows with the data a project holds (stats, usage series, the audit
 * CSV export). Twenty of them at once from one user used to hold every connection of the pool
 * for seconds. Each user may run `perUser` at once per instance; one more is refused at once
 * with 429 `too_many_requests` and Retry-After (a queue would hold the request and its socket
 * for as long as the reads ahead of it, and a dashboard retries anyway). Each read runs in one
 * read-only, repeatable-read transaction: it holds one connection, sees one snapshot (the
 * totals, top keys and days of one answer agree), and every statement is bounded by
 * `statement_timeout`; a read cut short answers 503 `service_unavailable`, never 500.
 * PGlite ignores the timeout (it has no timer inside a statement); its reads are bounded by the
 * roll-ups instead.
 */
export class HeavyReads {
  /** Who is reading, and how many reads each: the admission of `run`. */
  readonly gate: PerKeyGate;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly options: HeavyReadOptions,
  ) {
    this.gate = new PerKeyGate(options.perUser);
  }

  /** One heavy read: admitted for `userId`, then `read` in its bounded transaction. */
  run<T>(userId: string, read: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
    return this.admit(userId, (query) => query(read));
  }

  /**
   * Admits `userId` first (refusing at once when the user has `perUser` reads under way), then
   * runs `body`, which does what must come before the read (the project's access check, the
   * usage flush: they need connections of their own, so they run outside the read's
   * transaction) and calls `query` once for the read itself. A refused request costs its
   * authentication and nothing else.
   */
  async admit<T>(userId: string, body: (query: <R>(read: (db: Kysely<Schema>) => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
    const leave = this.gate.enter(userId);
    if (leave === null) {
      throw new ElyzorError('too_many_requests', `At most ${this.options.perUser} stats, usage or export reads at once per user; retry shortly`, { retryAfter: 1 });
    }
    try {
      return await body((read) => this.query(read));
    } finally {
      leave();
    }
  }

  private query<R>(read: (db: Kysely<Schema>) => Promise<R>): Promise<R> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        // SET takes no bind parameters; the value is an integer from the configuration.
        await sql.raw(`set local statement_timeout = ${Math.trunc(this.options.timeoutMs)}`).execute(trx);
        return read(trx);
      });
  }
}

/** At most `limit` holders per key at once; `enter` answers how to leave, or null when full. */
export class PerKeyGate {
  private readonly holders = new Map<string, number>();

  constructor(private readonly limit: number) {}

  enter(key: string): (() => void) | null {
    const current = this.holders.get(key) ?? 0;
    if (current >= this.limit) return null;
    this.holders.set(key, current + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const remaining = (this.holders.get(key) ?? 1) - 1;
      if (remaining === 0) this.holders.delete(key);
      else this.holders.set(key, remaining);
    };
  }
}
