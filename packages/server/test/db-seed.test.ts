import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { PGliteThreadPool } from '../src/db/pglite-thread.js';
import { backend } from './helpers/harness.js';
import type { Schema } from '../src/db/schema.js';

/**
 * The seed: a first start on an empty DATA_DIR restores a migrated empty database (what the
 * build dumps) instead of creating a cluster and migrating it. It must give the same database,
 * apply the migrations it lacks, and never be restored over a cluster that is already there.
 */
// PGlite only: the real backend's PostgreSQL has no seed.
describe.runIf(backend === 'embedded')('the embedded database seed', () => {
  let dir: string;
  let seed: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'elyzor-seed-'));
    seed = join(dir, 'seed.tar.gz');
    // A seed one migration short of today's schema: the start must apply the last one itself.
    const pool = await PGliteThreadPool.start(undefined);
    const older = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    await migrate(older, migrations.slice(0, -1));
    // A marker: found after the first start only if the seed was restored, not a cluster created.
    await older.insertInto('users').values({ email: 'from-the-seed@example.com', password_hash: 'x' }).execute();
    await writeFile(seed, gzipSync(await pool.dump()));
    await older.destroy();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const versions = async (database: Awaited<ReturnType<typeof openDatabase>>): Promise<number[]> =>
    (await database.db.selectFrom('schema_migrations').select('version').orderBy('version').execute()).map((r) => r.version);

  it('restores the seed into an empty data directory, applies the newer migrations, and keeps what is written across restarts', async () => {
    const dataDir = join(dir, 'fresh');
    const first = await openDatabase({ dataDir, seed });
    expect(await versions(first)).toEqual(migrations.map((m) => m.version));
    expect(await first.db.selectFrom('users').select('email').where('email', '=', 'from-the-seed@example.com').executeTakeFirst()).toBeDefined();
    const user = await first.db.insertInto('users').values({ email: 'seeded@example.com', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    await first.close();

    // Reopened: the cluster is there, so the seed is not restored over it.
    const again = await openDatabase({ dataDir, seed });
    expect(await again.db.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirst()).toEqual({ email: 'seeded@example.com' });
    expect((await sql<{ n: number }>`select count(*)::int as n from schema_migrations`.execute(again.db)).rows[0]?.n).toBe(migrations.length);
    await again.close();
  });

  it('without a seed file, creates and migrates the cluster as before', async () => {
    const database = await openDatabase({ dataDir: join(dir, 'unseeded'), seed: join(dir, 'no-such-seed.tar.gz') });
    expect(await versions(database)).toEqual(migrations.map((m) => m.version));
    expect(await database.db.selectFrom('users').select('email').execute()).toEqual([]);
    await database.close();
  });
});
