import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrate } from './migrate.js';
import { PGliteThreadPool } from './pglite-thread.js';
import type { Schema } from './schema.js';

export type DB = Kysely<Schema>;

export interface Database {
  db: DB;
  /** `postgres` (node-postgres pool) or `pglite` (embedded). */
  driver: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; undefined keeps the embedded database in memory (tests). */
  dataDir?: string | undefined;
  poolSize?: number;
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let db: DB;
  let driver: Database['driver'];
  if (options.url !== undefined) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 });
    // An idle client that loses its connection emits 'error' on the pool; without a listener
    // that would crash the process. The next query gets a fresh connection.
    pool.on('error', () => undefined);
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    driver = 'postgres';
  } else {
    let dataDir: string | undefined;
    if (options.dataDir !== undefined) {
      dataDir = resolve(options.dataDir, 'pgdata');
      await mkdir(dataDir, { recursive: true });
    }
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: await PGliteThreadPool.start(dataDir) }) });
    driver = 'pglite';
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    driver,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
