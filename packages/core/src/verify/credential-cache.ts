import type { Clock } from '../clock.js';
import { detached } from '../keys/key-format.js';
import type { CredentialRecord } from './record.js';

export interface CacheOptions {
  /** How long a found credential is served from memory before it is read again. */
  ttlMs: number;
  /** How long "no such credential" is remembered, so a flood of unknown keys stays off the database. */
  negativeTtlMs: number;
  maxEntries: number;
}

interface Entry {
  record: CredentialRecord | null;
  expiresAt: number;
}

/**
 * In-process cache of credential records by public id, negative entries included. Every change
 * to a credential calls `invalidate` (locally, and on other instances through the bus), so a
 * revocation is seen on the very next request; the TTL only bounds how stale a record may get if
 * an invalidation is ever missed.
 *
 * Reads that race an invalidation must not put back what they read before it: `load` remembers
 * the invalidation count it started at and does not store its result if that count has moved.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<CredentialRecord | null>>();
  private invalidations = 0;
  /** Lookups answered from memory (negative entries included), since start; for metrics. */
  hits = 0;
  /** Lookups that had to wait for the store (a read started, or one in flight joined), since start. */
  misses = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: CacheOptions,
  ) {}

  /** The cached record (or null for a cached miss), or undefined when nothing fresh is cached. */
  peek(publicId: string): CredentialRecord | null | undefined {
    const entry = this.entries.get(publicId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(publicId);
      return undefined;
    }
    this.hits++;
    return entry.record;
  }

  /**
   * The record for `publicId`, from memory or from `fetch`. Concurrent misses on one id share a
   * single fetch, so the store sees at most one query per distinct id at a time.
   */
  load(publicId: string, fetch: (publicId: string) => Promise<CredentialRecord | null>): Promise<CredentialRecord | null> {
    const cached = this.peek(publicId);
    if (cached !== undefined) return Promise.resolve(cached);
    this.misses++;
    const running = this.inflight.get(publicId);
    if (running !== undefined) return running;
    const startedAt = this.invalidations;
    // Only remove our own entry: after an invalidation a newer fetch for this id may be running.
    const settle = (): void => {
      if (this.inflight.get(publicId) === promise) this.inflight.delete(publicId);
    };
    const promise = fetch(publicId).then(
      (record) => {
        settle();
        if (this.invalidations === startedAt) this.set(publicId, record);
        return record;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
    this.inflight.set(publicId, promise);
    return promise;
  }

  set(publicId: string, record: CredentialRecord | null): void {
    const ttl = record === null ? this.options.negativeTtlMs : this.options.ttlMs;
    if (ttl <= 0) return;
    this.entries.delete(publicId);
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    // The id as parsed is a slice of the presented token: kept as a key, it would keep the secret in memory.
    this.entries.set(detached(publicId), { record, expiresAt: this.clock.now() + ttl });
  }

  invalidate(publicIds: Iterable<string>): void {
    this.invalidations++;
    for (const id of publicIds) {
      this.entries.delete(id);
      this.inflight.delete(id);
    }
  }

  clear(): void {
    this.invalidations++;
    this.entries.clear();
    this.inflight.clear();
  }

  /** Grows with every invalidation; lets a caller notice that one happened while it waited. */
  get invalidationCount(): number {
    return this.invalidations;
  }

  get size(): number {
    return this.entries.size;
  }
}
