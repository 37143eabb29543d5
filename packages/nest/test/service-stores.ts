import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore } from '@elyzor/keys/kysely';
import type { ApiKeyModuleOptions } from '../src/index.js';
import { pglitePool } from '../../keys/test/helpers/pglite.js';
import { PRISMA_LOG_TABLE_SQL, PRISMA_TABLE_SQL, prismaLikeClient } from '../../keys/test/helpers/prisma-like.js';
import type { sharedPglite } from './adapters.js';

/** A store with an audit-log table (what the request log, audit-log and analytics services need). */
export interface ServiceStore {
  name: string;
  open(database: ReturnType<typeof sharedPglite>): Promise<{ options: ApiKeyModuleOptions; close(): Promise<void> }>;
}

async function createTables(run: (sql: string) => Promise<unknown>, table: string, logs: string): Promise<void> {
  for (const statement of KyselyStore.schemaSql(table, logs).split(';').map((s) => s.trim()).filter((s) => s !== '')) await run(statement);
}

const memory: ServiceStore = { name: 'memory', open: () => Promise.resolve({ options: { adapter: 'memory' }, close: () => Promise.resolve() }) };

const kyselyPglite: ServiceStore = {
  name: 'kysely (PGlite)',
  async open(database) {
    const pgl = await database.get();
    const suffix = randomBytes(4).toString('hex');
    await createTables((s) => pgl.exec(s), `svc_keys_${suffix}`, `svc_logs_${suffix}`);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(pgl) }) });
    return { options: { adapter: 'kysely', kysely: { db, tableName: `svc_keys_${suffix}`, auditLogTable: `svc_logs_${suffix}` } }, close: () => Promise.resolve() };
  },
};

/** Prisma's query interface on PGlite, with the `ApiKeyAuditLog` model (one per file: its tables have fixed names). */
const prismaPglite: ServiceStore = {
  name: 'prisma (query interface on PGlite)',
  async open(database) {
    const pgl = await database.get();
    await pgl.exec(PRISMA_TABLE_SQL);
    await pgl.exec(PRISMA_LOG_TABLE_SQL);
    return { options: { adapter: 'prisma', prismaClient: prismaLikeClient(pgl) }, close: () => Promise.resolve() };
  },
};

/** PostgreSQL at TEST_DATABASE_URL: tables of its own, dropped at the end; an unreachable server fails the suite. */
const kyselyPostgres: ServiceStore = {
  name: 'kysely (PostgreSQL)',
  async open() {
    const url = process.env.TEST_DATABASE_URL;
    if (url === undefined) throw new Error('TEST_DATABASE_URL is required on the real backend');
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const suffix = randomBytes(4).toString('hex');
    const [table, logs] = [`nest_svc_keys_${suffix}`, `nest_svc_logs_${suffix}`];
    await createTables((s) => pool.query(s), table, logs);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    return {
      options: { adapter: 'kysely', kysely: { db, tableName: table, auditLogTable: logs } },
      close: async () => {
        await pool.query(`DROP TABLE IF EXISTS ${table}, ${logs}`);
        await db.destroy();
      },
    };
  },
};

/** Memory, Kysely and Prisma on PGlite on the embedded backend; PostgreSQL on the real one (`nest:postgres+redis`). */
export const serviceStores: ServiceStore[] = process.env.ELYZOR_TEST_BACKEND === 'real' ? [kyselyPostgres] : [memory, kyselyPglite, prismaPglite];
