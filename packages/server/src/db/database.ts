import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrate } from './migrate.js';
import { PGliteThreadPool } from './pglite-thread.js';
import type { Schema } from './schema.js';

export type DB = Kysely<Schema>;

export interface Database {
  /** Management reads and writes, usage batches, migrations. */
  db: DB;
  /**
   * The verification path's lookups and the health ping, kept from queueing behind management
   * reads: a small pool of its own on PostgreSQL, a lane served first on PGlite's one
   * connection. Same database, same schema.
   */
  priority: DB;
  /** `postgres` (node-postgres pool) or `pglite` (embedded). */
  driver: 'postgres' | 'pglite';
  ping(): Promise<void>;
  /** PGlite only: the whole database as a tarball, to start others from (`DatabaseOptions.template`). */
  dump?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; undefined keeps the embedded database in memory (tests). */
  dataDir?: string | undefined;
  poolSize?: number;
  /** Connections of the priority pool on PostgreSQL (verify lookups, health). */
  priorityPoolSize?: number;
  /** In memory only: start from this dump (`Database.dump`) instead of an empty database. */
  template?: Uint8Array | undefined;
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let db: DB;
  let priority: DB;
  let driver: Database['driver'];
  let dump: Database['dump'];
  if (options.url !== undefined) {
    const pools = [options.poolSize ?? 10, options.priorityPoolSize ?? 3].map((max) => {
      const pool = new pg.Pool({ connectionString: options.url, max, connectionTimeoutMillis: 5000 });
      // An idle client that loses its connection emits 'error' on the pool; without a listener
      // that would crash the process. The next query gets a fresh connection.
      pool.on('error', () => undefined);
      return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    });
    [db, priority] = pools as [DB, DB];
    driver = 'postgres';
  } else {
    let dataDir: string | undefined;
    if (options.dataDir !== undefined) {
      dataDir = resolve(options.dataDir, 'pgdata');
      await mkdir(dataDir, { recursive: true });
    }
    const pool = await PGliteThreadPool.start(dataDir, dataDir === undefined ? options.template : undefined);
    dump = () => pool.dump();
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    priority = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: pool.priorityLane() }) });
    driver = 'pglite';
  }
  const close = async (): Promise<void> => {
    await priority.destroy();
    await db.destroy();
  };
  try {
    await migrate(db);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    db,
    priority,
    driver,
    ping: async () => {
      await sql`select 1`.execute(priority);
    },
    ...(dump !== undefined ? { dump } : {}),
    close,
  };
}
