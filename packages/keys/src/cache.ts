import type { RedisLike } from './types.js';

/** keypal's cache interface: string values, TTL in seconds. */
export interface Cache {
  get(key: string): Promise<string | null> | string | null;
  set(key: string, value: string, ttl?: number): Promise<void> | void;
  del(key: string): Promise<void> | void;
}

export interface MemoryCacheOptions {
  /** Most entries kept; the oldest goes first. Default 10,000. */
  maxSize?: number;
  /** How often expired entries are swept, in ms. Default 60,000. */
  cleanupInterval?: number;
  /** The time source; default `Date.now`. */
  now?: () => number;
}

interface Entry {
  value: unknown;
  expires: number;
}

/**
 * In-process cache. Besides keypal's string interface it keeps objects as they are
 * (`getValue`/`setValue`), which the manager uses for verified records: a cache hit then costs a
 * `Map.get`, with no JSON parsing.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxSize: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxSize = options.maxSize ?? 10_000;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.cleanup(), options.cleanupInterval ?? 60_000);
    this.timer.unref?.();
  }

  get(key: string): string | null {
    const value = this.getValue(key);
    if (value === undefined) return null;
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  set(key: string, value: string, ttl = 60): void {
    this.setValue(key, value, ttl);
  }

  del(key: string): void {
    this.entries.delete(key);
  }

  getValue(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  setValue(key: string, value: unknown, ttlSeconds: number): void {
    if (!this.entries.has(key) && this.entries.size >= this.maxSize) {
      this.cleanup();
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (this.entries.size >= this.maxSize && oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: this.now() + ttlSeconds * 1000 });
  }

  clear(): void {
    this.entries.clear();
  }

  cleanup(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }

  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A cache shared by every process that uses the same Redis. */
export class RedisCache implements Cache {
  constructor(private readonly client: RedisLike) {}

  get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async set(key: string, value: string, ttl = 60): Promise<void> {
    await this.client.setex(key, Math.max(1, Math.ceil(ttl)), value);
  }

  async del(key: string): Promise<void> {
    await this.client.del(key);
  }
}
