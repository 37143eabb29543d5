import { systemClock, type Clock } from '@elyzor/core';
import type { DB } from '../db/database.js';

/**
 * Access tokens refused before they expire (logout). Entries live until the token would have
 * expired anyway. `SqlDenylist` keeps them in the database (the embedded default, so a restart
 * forgets nothing); `RedisDenylist` (redis-denylist.ts) keeps them in Redis with a TTL.
 */
export interface TokenDenylist {
  add(jti: string, expiresAt: Date): Promise<void>;
  has(jti: string): Promise<boolean>;
  close(): Promise<void>;
}

export class SqlDenylist implements TokenDenylist {
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

  close(): Promise<void> {
    return Promise.resolve();
  }
}
