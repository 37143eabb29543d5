import { drizzle } from 'drizzle-orm/pglite';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, MemoryStore } from '../src/index.js';
import { DrizzleStore } from '../src/storage/drizzle.js';
import { apikey } from '../src/storage/drizzle-schema.js';
import { KyselyStore } from '../src/storage/kysely.js';
import { RedisStore } from '../src/storage/redis.js';
import type { Storage } from '../src/types.js';
import { databaseUrl, redisUrl } from './helpers/backends.js';
import { newPglite, pglitePool } from './helpers/pglite.js';

/**
 * Several managers over the same keys (several processes of one app): a change made by one, or
 * by SQL behind them all, is seen by the others on their next verify, whatever their cache; a
 * revocation racing usage tracking stays; and usage counts stay exact under concurrency.
 */
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

describe('caches shared by several managers', () => {
  it('in-process caches over one store: a revocation by one manager is seen by the other at once', async () => {
    const storage = new MemoryStore();
    const a = createKeys({ storage, cache: true });
    const b = createKeys({ storage, cache: true });
    const { key, record } = await a.create({ ownerId: 'u' });
    expect((await b.verify(key)).valid).toBe(true); // cached in b
    await a.revoke(record.id);
    expect((await b.verify(key)).errorCode).toBe('REVOKED');
  });

  it.runIf(redisUrl !== undefined)('a Redis cache, two processes: a revocation or deletion by one is seen by the other at once', async () => {
    const prefix = `elyzor-keys-cache-test:${randomBytes(6).toString('hex')}:`;
    const one = new Redis(redisUrl ?? '');
    const two = new Redis(redisUrl ?? '');
    clients.push(one, two);
    const storeA = new RedisStore({ client: one, prefix });
    const a = createKeys({ storage: storeA, cache: 'redis', redis: one });
    const b = createKeys({ storage: new RedisStore({ client: two, prefix }), cache: 'redis', redis: two });
    const first = await a.create({ ownerId: 'u' });
    const second = await a.create({ ownerId: 'u' });
    expect((await b.verify(first.key)).valid).toBe(true);
    expect((await b.verify(second.key)).valid).toBe(true);
    await a.revoke(first.record.id);
    expect((await b.verify(first.key)).errorCode).toBe('REVOKED');
    // Deleted through process one's store (not a manager method): its manager hears it and drops
    // the shared cache entry.
    await storeA.delete(second.record.id);
    expect((await b.verify(second.key)).errorCode).toBe('INVALID_KEY');
    const stale = await one.keys(`${prefix}*`);
    if (stale.length > 0) await one.del(...stale);
  });
});

/**
 * Two "processes": two managers with a store instance each over one database, each with its own
 * in-process cache, and a way to change the data behind both (SQL, or a Redis command).
 */
interface Shared {
  store(): Storage;
  /** Deletes the record as an operator would, outside the library. */
  deleteBehind(id: string): Promise<void>;
  close(): Promise<void>;
}

const DRIZZLE_TABLE = 'CREATE TABLE apikey (id TEXT PRIMARY KEY NOT NULL, key_hash TEXT NOT NULL UNIQUE, metadata JSONB NOT NULL)';

const sharedSetups: Array<[string, () => Promise<Shared>]> = [
  [
    'drizzle (PGlite)',
    async () => {
      const pgl = await newPglite();
      await pgl.exec(DRIZZLE_TABLE);
      const db = drizzle(pgl, { schema: { apikey } });
      return {
        store: () => new DrizzleStore({ db, table: apikey }),
        deleteBehind: async (id) => void (await pgl.query('DELETE FROM apikey WHERE id = $1', [id])),
        close: () => pgl.close(),
      };
    },
  ],
  [
    'kysely (PGlite)',
    async () => {
      const pgl = await newPglite();
      await pgl.exec(KyselyStore.schemaSql('api_keys'));
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(pgl) }) });
      return {
        store: () => new KyselyStore({ db }),
        deleteBehind: async (id) => void (await pgl.query('DELETE FROM api_keys WHERE id = $1', [id])),
        close: () => pgl.close(),
      };
    },
  ],
];
const pgUrl = databaseUrl;
if (pgUrl !== undefined) {
  sharedSetups.push([
    'kysely (PostgreSQL, a pool per process)',
    async () => {
      const schema = `keys_${randomBytes(6).toString('hex')}`;
      // The operator's own connection, in the schema of the test.
      const admin = new pg.Pool({ connectionString: pgUrl, max: 1, options: `-c search_path=${schema}` });
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(KyselyStore.schemaSql('api_keys'));
      const pools: pg.Pool[] = [];
      return {
        store: () => {
          const pool = new pg.Pool({ connectionString: pgUrl, max: 2, options: `-c search_path=${schema}` });
          pools.push(pool);
          return new KyselyStore({ db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }) });
        },
        deleteBehind: async (id) => void (await admin.query('DELETE FROM api_keys WHERE id = $1', [id])),
        async close() {
          await Promise.all(pools.map((p) => p.end()));
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        },
      };
    },
  ]);
}
const sharedRedisUrl = redisUrl;
if (sharedRedisUrl !== undefined) {
  sharedSetups.push([
    'redis (a client per process)',
    () => {
      const prefix = `elyzor-keys-shared-test:${randomBytes(6).toString('hex')}:`;
      const admin = new Redis(sharedRedisUrl);
      clients.push(admin);
      return Promise.resolve({
        store: () => {
          const client = new Redis(sharedRedisUrl);
          clients.push(client);
          return new RedisStore({ client, prefix });
        },
        deleteBehind: async (id) => void (await admin.del(`${prefix}${id}`)),
        async close() {
          const stale = await admin.keys(`${prefix}*`);
          if (stale.length > 0) await admin.del(...stale);
        },
      });
    },
  ]);
}

describe.each(sharedSetups)('two processes over one database, each with an in-process cache: %s', (_name, setup) => {
  it('a key revoked by one process, or deleted behind both, is refused by the other on its next verify', async () => {
    const shared = await setup();
    try {
      const a = createKeys({ storage: shared.store(), cache: true, cacheTtl: 600 });
      const b = createKeys({ storage: shared.store(), cache: true, cacheTtl: 600 });
      const first = await a.create({ ownerId: 'u' });
      const second = await a.create({ ownerId: 'u' });
      for (const keys of [a, b]) {
        // Each process verifies once, which fills its cache.
        expect((await keys.verify(first.key)).valid).toBe(true);
        expect((await keys.verify(second.key)).valid).toBe(true);
      }
      await a.revoke(first.record.id);
      expect((await b.verify(first.key)).errorCode).toBe('REVOKED');
      expect((await a.verify(first.key)).errorCode).toBe('REVOKED');
      await shared.deleteBehind(second.record.id);
      expect((await a.verify(second.key)).errorCode).toBe('INVALID_KEY');
      expect((await b.verify(second.key)).errorCode).toBe('INVALID_KEY');
      await Promise.all([a.flushUsage(), b.flushUsage()]);
    } finally {
      await shared.close();
    }
  });
});

describe('a revocation racing usage tracking', () => {
  const setups: Array<[string, () => Storage]> = [['memory', () => new MemoryStore()]];
  const url = redisUrl;
  const prefix = `elyzor-keys-race-test:${randomBytes(6).toString('hex')}:`;
  let client: Redis | null = null;
  if (url !== undefined) {
    setups.push([
      'redis',
      () => {
        client = new Redis(url);
        clients.push(client);
        return new RedisStore({ client, prefix });
      },
    ]);
  }
  afterAll(async () => {
    const stale = client === null ? [] : await client.keys(`${prefix}*`);
    if (client !== null && stale.length > 0) await client.del(...stale);
  });
  it.each(setups)('a key revoked while its verifications write lastUsedAt never verifies again (%s)', async (_name, storage) => {
    const keys = createKeys({ storage: storage() });
    const verifiedAgain: string[] = [];
    for (let i = 0; i < 64; i++) {
      const { key, record } = await keys.create({ ownerId: 'race' });
      const verifying = Promise.all([keys.verify(key), keys.verify(key)]);
      // The revocation lands at a different point of the tracking write each round.
      const revoking = (async () => {
        for (let t = 0; t < i % 8; t++) await new Promise((resolve) => setImmediate(resolve));
        await keys.revoke(record.id);
      })();
      await Promise.all([verifying, revoking]);
      await keys.flushUsage();
      const stored = await keys.findById(record.id);
      if ((await keys.verify(key, { skipTracking: true })).valid || typeof stored?.metadata.revokedAt !== 'string') verifiedAgain.push(record.id);
    }
    expect(verifiedAgain).toEqual([]);
  });
});

describe('usage counts', () => {
  const setups: Array<[string, () => Parameters<typeof createKeys>[0]]> = [['memory', () => ({})]];
  const url = redisUrl;
  if (url !== undefined) {
    setups.push([
      'redis',
      () => {
        const redis = new Redis(url);
        clients.push(redis);
        return { redis, limits: 'redis' };
      },
    ]);
  }
  it.each(setups)('300 concurrent verifications count 300 (%s)', async (_name, config) => {
    const keys = createKeys({ ...config(), cache: true });
    const { key, record } = await keys.create({ ownerId: 'u' });
    await Promise.all(Array.from({ length: 300 }, () => keys.verify(key)));
    expect(await keys.getUsage(record.id)).toBe(300);
    expect((await keys.findById(record.id))?.metadata.lastUsedAt).toEqual(expect.any(String));
  });
});
