import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Schema } from './schema.js';

/** Arbitrary, fixed: the advisory lock that keeps two instances from migrating at once. */
const MIGRATION_LOCK = 7_351_962;

/**
 * Applies every migration not yet recorded, each in its own transaction, under an advisory lock.
 * `list` is for tests that start from an older schema.
 */
export async function migrate(db: Kysely<Schema>, list: typeof migrations = migrations): Promise<number[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`.execute(conn);
      const done = new Set((await conn.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version));
      const applied: number[] = [];
      for (const migration of list) {
        if (done.has(migration.version)) continue;
        await conn.transaction().execute(async (trx) => {
          await sql.raw(migration.up).execute(trx);
          await trx.insertInto('schema_migrations').values({ version: migration.version, name: migration.name }).execute();
        });
        applied.push(migration.version);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
