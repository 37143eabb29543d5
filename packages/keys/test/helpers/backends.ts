import { Kysely, PostgresDialect } from 'kysely';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '../../src/storage/memory.js';
import { RedisStore } from '../../src/storage/redis.js';
import { KyselyStore } from '../../src/storage/kysely.js';
import { DrizzleStore } from '../../src/storage/drizzle.js';
import { PrismaStore } from '../../src/storage/prisma.js';
import { apikey, auditlog } from '../../src/storage/drizzle-schema.js';
import type { Storage } from '../../src/types.js';
import { newPglite, pglitePool } from './pglite.js';
import { PRISMA_LOG_TABLE_SQL, PRISMA_TABLE_SQL, prismaLikeClient } from './prisma-like.js';
import { TypeOrmStore, ApiKeyEntity } from '../../src/storage/typeorm.js';
import { openDataSource, pgliteDataSource } from './typeorm.js';

/**
 * Every storage adapter on a real backend, for the contract suite. Embedded ones always; Redis
 * and PostgreSQL when TEST_REDIS_URL / TEST_DATABASE_URL are set (as in CI), and then a server
 * that cannot be reached fails the suite rather than skipping it.
 */
export interface Opened {
  /** An empty store (the tables truncated, or a new key prefix). */
  fresh(): Promise<Storage>;
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Opens the backend once per file (a database start is the slow part). */
  open(): Promise<Opened>;
  /** Whether the store keeps audit logs. */
  logs: boolean;
}

const DRIZZLE_SQL = [
  'CREATE TABLE apikey (id TEXT PRIMARY KEY NOT NULL, key_hash TEXT NOT NULL CONSTRAINT apikey_key_hash_unique UNIQUE, metadata JSONB NOT NULL)',
  'CREATE INDEX apikey_key_hash_idx ON apikey (key_hash)',
  'CREATE TABLE auditlog (id TEXT PRIMARY KEY NOT NULL, action TEXT NOT NULL, key_id TEXT NOT NULL, owner_id TEXT NOT NULL, timestamp TEXT NOT NULL, data JSONB)',
];

async function execAll(run: (sql: string) => Promise<unknown>, statements: string): Promise<void> {
  for (const statement of statements.split(';').map((s) => s.trim()).filter((s) => s !== '')) await run(statement);
}

export const redisUrl = process.env.TEST_REDIS_URL;
export const databaseUrl = process.env.TEST_DATABASE_URL;

export const backends: Backend[] = [
  { name: 'memory', logs: true, open: () => Promise.resolve({ fresh: () => Promise.resolve(new MemoryStore()), close: () => Promise.resolve() }) },
  {
    name: 'kysely (PGlite)',
    logs: true,
    async open() {
      const pgl = await newPglite();
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(pgl) }) });
      await execAll((s) => pgl.exec(s), KyselyStore.schemaSql('api_keys', 'api_key_logs'));
      return {
        fresh: async () => {
          await pgl.exec('TRUNCATE api_keys, api_key_logs');
          return new KyselyStore({ db, tableName: 'api_keys', auditLogTable: 'api_key_logs' });
        },
        close: () => pgl.close(),
      };
    },
  },
  {
    name: 'drizzle (PGlite)',
    logs: true,
    async open() {
      const pgl = await newPglite();
      for (const s of DRIZZLE_SQL) await pgl.exec(s);
      const db = drizzlePglite(pgl, { schema: { apikey, auditlog } });
      return {
        fresh: async () => {
          await pgl.exec('TRUNCATE apikey, auditlog');
          return new DrizzleStore({ db, table: apikey, auditLogTable: auditlog });
        },
        close: () => pgl.close(),
      };
    },
  },
  {
    name: 'prisma query interface (PGlite)',
    logs: true,
    async open() {
      const pgl = await newPglite();
      await pgl.exec(PRISMA_TABLE_SQL);
      await pgl.exec(PRISMA_LOG_TABLE_SQL);
      return {
        fresh: async () => {
          await pgl.exec('TRUNCATE api_keys, api_key_audit_logs');
          return new PrismaStore({ prisma: prismaLikeClient(pgl), model: 'apiKey', logModel: 'apiKeyAuditLog' });
        },
        close: () => pgl.close(),
      };
    },
  },
  {
    name: 'typeorm (PGlite)',
    logs: false,
    async open() {
      const { dataSource, close } = await pgliteDataSource();
      return {
        fresh: async () => {
          await dataSource.getRepository(ApiKeyEntity).clear();
          return new TypeOrmStore({ repository: dataSource.getRepository(ApiKeyEntity) });
        },
        close,
      };
    },
  },
];

if (redisUrl !== undefined) {
  backends.push({
    name: 'redis',
    logs: true,
    async open() {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      const run = `elyzor-keys-test:${randomBytes(6).toString('hex')}:`;
      let n = 0;
      return {
        fresh: () => Promise.resolve(new RedisStore({ client: redis, prefix: `${run}${n++}:` })),
        async close() {
          const keys = await redis.keys(`${run}*`);
          if (keys.length > 0) await redis.del(...keys);
          await redis.quit();
        },
      };
    },
  });
}

if (databaseUrl !== undefined) {
  /** A schema of its own per store, dropped on close: runs and files never see each other's rows. */
  const withSchema = async (setup: (pool: pg.Pool) => Promise<{ truncate: string; store: () => Storage }>): Promise<Opened> => {
    const schema = `keys_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: `-c search_path=${schema}` });
    const { truncate, store } = await setup(pool);
    return {
      fresh: async () => {
        await pool.query(truncate);
        return store();
      },
      async close() {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await pool.end();
      },
    };
  };
  backends.push(
    {
      name: 'kysely (PostgreSQL)',
      logs: true,
      open: () =>
        withSchema(async (pool) => {
          await execAll((s) => pool.query(s), KyselyStore.schemaSql('api_keys', 'api_key_logs'));
          const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
          return { truncate: 'TRUNCATE api_keys, api_key_logs', store: () => new KyselyStore({ db, tableName: 'api_keys', auditLogTable: 'api_key_logs' }) };
        }),
    },
    {
      name: 'drizzle (PostgreSQL)',
      logs: true,
      open: () =>
        withSchema(async (pool) => {
          for (const s of DRIZZLE_SQL) await pool.query(s);
          const db = drizzlePg(pool, { schema: { apikey, auditlog } });
          return { truncate: 'TRUNCATE apikey, auditlog', store: () => new DrizzleStore({ db, table: apikey, auditLogTable: auditlog }) };
        }),
    },
    {
      name: 'typeorm (PostgreSQL)',
      logs: false,
      async open() {
        // A schema of its own, as the other stores: TypeORM creates the table there from the entity.
        const schema = `keys_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
        await admin.query(`CREATE SCHEMA ${schema}`);
        const dataSource = await openDataSource({ type: 'postgres', url: databaseUrl, schema });
        const repository = dataSource.getRepository(ApiKeyEntity);
        return {
          fresh: async () => {
            await repository.clear();
            return new TypeOrmStore({ repository });
          },
          async close() {
            await dataSource.destroy();
            await admin.query(`DROP SCHEMA ${schema} CASCADE`);
            await admin.end();
          },
        };
      },
    },
  );
}
