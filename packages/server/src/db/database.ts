import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
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
  /**
   * On disk only: a gzipped dump to restore into an empty `dataDir` instead of creating the cluster and
   * migrating it. Default: the seed the build makes next to this file (`scripts/build-db-seed.mjs`),
   * when it is there. Migrations newer than the seed are applied after it, as on any database.
   */
  seed?: string | undefined;
}

/** Where `scripts/build-db-seed.mjs` writes the migrated empty database: dist/db/seed.tar.gz. */
export const SEED_FILE = fileURLToPath(new URL('./seed.tar.gz', import.meta.url));

/** The seed's bytes when `dataDir` holds no cluster yet and a seed exists, else undefined. */
async function seedFor(dataDir: string, seed: string): Promise<Uint8Array | undefined> {
  if (existsSync(join(dataDir, 'PG_VERSION')) || !existsSync(seed)) return undefined;
  return new Uint8Array(await promisify(gunzip)(await readFile(seed)));
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
    const pool = await PGliteThreadPool.start(dataDir, dataDir === undefined ? options.template : await seedFor(dataDir, options.seed ?? SEED_FILE));
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
