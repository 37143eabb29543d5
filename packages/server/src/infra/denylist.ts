import { systemClock, type Clock } from '@elyzor/core';
import type { DB } from '../db/database.js';

/**
 * Access tokens refused before they expire (logout). Entries live until the token would have
 * expired anyway. `SqlDenylist` keeps them in the database, the source of truth (so a restart
 * forgets nothing); with Redis configured, `LayeredDenylist` (layered-denylist.ts) puts
 * `RedisDenylist` (redis-denylist.ts) in front of it as the fast path.
 */
export interface TokenDenylist {
  add(jti: string, expiresAt: Date): Promise<void>;
  has(jti: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A denylist that is the source of truth: the layered denylist copies its entries into Redis. */
export interface DenylistRecord extends TokenDenylist {
  /** Every entry whose token has not expired yet. */
  live(): Promise<Array<{ jti: string; expiresAt: Date }>>;
}

export class SqlDenylist implements DenylistRecord {
  constructor(
    private readonly db: DB,
    private readonly clock: Clock = systemClock,
  ) {}

  async add(jti: string, expiresAt: Date): Promise<void> {
    await this.db
      .insertInto('revoked_access_tokens')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
    // Housekeeping: entries past their token's expiry are useless.
    await this.db.deleteFrom('revoked_access_tokens').where('expires_at', '<', new Date(this.clock.now())).execute();
  }

  async has(jti: string): Promise<boolean> {
    const row = await this.db.selectFrom('revoked_access_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
    return row !== undefined;
  }

  /** Every entry whose token has not expired: what the layered denylist copies into Redis. */
  async live(): Promise<Array<{ jti: string; expiresAt: Date }>> {
    const rows = await this.db.selectFrom('revoked_access_tokens').select(['jti', 'expires_at']).where('expires_at', '>', new Date(this.clock.now())).execute();
    return rows.map((row) => ({ jti: row.jti, expiresAt: row.expires_at }));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
