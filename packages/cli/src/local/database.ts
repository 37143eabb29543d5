import { existsSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { CliError } from '../errors.js';
import type { DatabaseTarget } from './database-url.js';
import { pglitePool, type PGliteLike } from './pglite-pool.js';

export interface OpenDatabase {
  db: Kysely<unknown>;
  close(): Promise<void>;
}

/** A driver's failure as one line the user can act on: never a stack, never the URL's password. */
export function databaseError(target: DatabaseTarget, error: unknown): CliError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const reason = typeof message === 'string' && message !== '' ? message : typeof code === 'string' ? code : String(error);
  return new CliError(`cannot use the database ${target.shown}: ${reason}`);
}

/**
 * Opens the database and checks it answers. `create`: whether a PGlite directory that does not
 * exist yet may be made (only `create` makes one; the other commands have nothing to read there).
 */
export async function openDatabase(target: DatabaseTarget, options: { create: boolean }): Promise<OpenDatabase> {
  let open: OpenDatabase;
  if (target.driver === 'postgres') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: target.url, max: 1, connectionTimeoutMillis: 10_000 });
    // An idle client that loses its connection emits 'error' on the pool: without a listener, a crash.
    pool.on('error', () => undefined);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    open = { db, close: () => db.destroy() };
  } else {
    if (!options.create && !existsSync(target.dir)) throw new CliError(`no PGlite database at ${target.dir}`);
    const pglite = await loadPglite();
    let instance: PGliteLike & { close(): Promise<void>; waitReady: Promise<void> };
    try {
      instance = new pglite(target.dir);
      await instance.waitReady;
    } catch (error) {
      throw databaseError(target, error);
    }
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(instance) }) });
    open = {
      db,
      close: async () => {
        await db.destroy();
        await instance.close();
      },
    };
  }
  try {
    await sql`select 1`.execute(open.db);
  } catch (error) {
    await open.close().catch(() => undefined);
    throw databaseError(target, error);
  }
  return open;
}

type PGliteClass = new (dataDir: string) => PGliteLike & { close(): Promise<void>; waitReady: Promise<void> };

/** PGlite is an optional peer dependency: loaded only for a `pglite:` database. */
async function loadPglite(): Promise<PGliteClass> {
  try {
    const module = (await import('@electric-sql/pglite' as string)) as { PGlite: PGliteClass };
    return module.PGlite;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new CliError('a pglite: database needs the package @electric-sql/pglite: install it beside @elyzor/cli (npm install -g @electric-sql/pglite)');
  }
}
