import { systemClock, type Clock } from '@elyzor/core';
import type { Redis } from 'ioredis';
import type { TokenDenylist } from './denylist.js';

export interface RedisDenylistOptions {
  /** Key prefix; entries are `<prefix>deny:<jti>`. Default `elyzor:`. */
  prefix?: string;
  /** The service's clock: a token's remaining life is measured on it. */
  clock?: Clock;
}

/**
 * Denied access tokens as Redis keys that expire with the token, so no housekeeping is needed.
 * The client is shared, not owned: `close()` leaves it open.
 */
export class RedisDenylist implements TokenDenylist {
  private readonly prefix: string;
  private readonly clock: Clock;

  constructor(private readonly client: Redis, options: RedisDenylistOptions = {}) {
    this.prefix = `${options.prefix ?? 'elyzor:'}deny:`;
    this.clock = options.clock ?? systemClock;
  }

  async add(jti: string, expiresAt: Date): Promise<void> {
    const ttlMs = expiresAt.getTime() - this.clock.now();
    if (Number.isNaN(ttlMs)) throw new RangeError('invalid token expiry');
    // An expired token is refused anyway; PX would reject a non-positive TTL.
    if (ttlMs <= 0) return;
    await this.client.set(this.prefix + jti, '1', 'PX', Math.ceil(ttlMs));
  }

  async has(jti: string): Promise<boolean> {
    return (await this.client.exists(this.prefix + jti)) > 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
