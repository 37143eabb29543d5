import type { RedisLike } from './types.js';

/**
 * Successful verifications per key. Counted apart from the record (a counter, not a metadata
 * rewrite), so that concurrent verifications never lose a count.
 */
export interface UsageCounter {
  add(id: string, n: number): Promise<void>;
  get(id: string): Promise<number>;
}

export class MemoryUsage implements UsageCounter {
  private readonly counts = new Map<string, number>();

  add(id: string, n: number): Promise<void> {
    this.counts.set(id, (this.counts.get(id) ?? 0) + n);
    return Promise.resolve();
  }

  get(id: string): Promise<number> {
    return Promise.resolve(this.counts.get(id) ?? 0);
  }
}

/** Redis INCRBY: exact across every process sharing the Redis. */
export class RedisUsage implements UsageCounter {
  constructor(
    private readonly client: RedisLike,
    private readonly prefix: string,
  ) {}

  async add(id: string, n: number): Promise<void> {
    await this.client.incrby(this.prefix + id, n);
  }

  async get(id: string): Promise<number> {
    return Number((await this.client.get(this.prefix + id)) ?? 0);
  }
}
