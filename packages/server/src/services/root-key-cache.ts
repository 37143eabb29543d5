import type { Actor, Clock } from '@elyzor/core';

export interface RootKeyCacheOptions {
  /** How long an authenticated root key is served from memory before it is read again (0: never cached). */
  ttlMs: number;
  maxEntries: number;
}

/** What a root key authenticates as, with what may end it without a write: its own expiry. */
export interface CachedRootKey {
  actor: Extract<Actor, { type: 'root_key' }>;
  publicId: string;
  /** The key's own expiry (epoch ms), or null. */
  keyExpiresAt: number | null;
}

interface Entry {
  value: CachedRootKey;
  /** When this copy must be read again (the TTL backstop). */
  staleAt: number;
}

/**
 * Authenticated root keys, per instance, by the digest of the presented string (never the string
 * itself), so the management faces answer a live root key without a database read. Only keys that
 * authenticated are kept; every refusal is read again. Revocation, rotation and the deletion of
 * the key's workspace publish the key's public id on the invalidation bus, which drops the copy on
 * every instance before the change's response is sent; a lost bus message clears everything, and
 * the TTL bounds how stale a copy may get if an invalidation were missed all the same.
 *
 * A read that raced an invalidation does not put back what it read before it: `remember` takes
 * the invalidation count from before the read and stores nothing if that count has moved.
 */
export class RootKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** public id → digest of its cached entry, so the bus (which speaks public ids) can drop it. */
  private readonly byPublicId = new Map<string, string>();
  private invalidations = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: RootKeyCacheOptions,
  ) {}

  /** The cached root key for this digest, or undefined when nothing fresh is cached. */
  get(digest: string): CachedRootKey | undefined {
    const entry = this.entries.get(digest);
    if (entry === undefined) return undefined;
    if (entry.staleAt <= this.clock.now()) {
      this.drop(digest, entry.value.publicId);
      return undefined;
    }
    return entry.value;
  }

  /** Grows with every invalidation; pass the value read before the database read to `remember`. */
  get invalidationCount(): number {
    return this.invalidations;
  }

  /** Keeps an authenticated root key, unless an invalidation happened since `startedAt`. */
  remember(digest: string, value: CachedRootKey, startedAt: number): void {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0 || this.invalidations !== startedAt) return;
    const previous = this.byPublicId.get(value.publicId);
    if (previous !== undefined) this.drop(previous, value.publicId);
    this.entries.delete(digest);
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.entries().next();
      if (oldest.done !== true) this.drop(oldest.value[0], oldest.value[1].value.publicId);
    }
    this.entries.set(digest, { value, staleAt: this.clock.now() + this.options.ttlMs });
    this.byPublicId.set(value.publicId, digest);
  }

  /** Drops the root keys of these public ids (ids of other credentials are ignored). */
  invalidate(publicIds: Iterable<string>): void {
    this.invalidations++;
    for (const publicId of publicIds) {
      const digest = this.byPublicId.get(publicId);
      if (digest !== undefined) this.drop(digest, publicId);
    }
  }

  clear(): void {
    this.invalidations++;
    this.entries.clear();
    this.byPublicId.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(digest: string, publicId: string): void {
    this.entries.delete(digest);
    if (this.byPublicId.get(publicId) === digest) this.byPublicId.delete(publicId);
  }
}
