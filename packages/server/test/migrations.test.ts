import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { PGliteThreadPool } from '../src/db/pglite-thread.js';
import type { Schema } from '../src/db/schema.js';
import { credentialUsage } from '../src/store/credentials.js';
import { findProjectRef, listProjects } from '../src/store/projects.js';
import { projectStats } from '../src/store/stats.js';
import { writeUsage } from '../src/store/usage.js';
import { backend, realBackendEnv } from './helpers/harness.js';

/**
 * Migrations applied to a database that holds data from an older schema. Embedded: a fresh
 * in-memory PGlite. Real: a schema of its own in the test database, dropped afterwards.
 */
/** An empty database (embedded) or an empty schema of the test database (real), and its cleanup. */
async function freshDatabase(): Promise<{ db: Kysely<Schema>; drop: () => Promise<void> }> {
  if (backend === 'embedded') {
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: await PGliteThreadPool.start(undefined) }) });
    return { db, drop: () => db.destroy() };
  }
  const url = realBackendEnv().DATABASE_URL;
  const schema = `migrations_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` }) }) });
  return {
    db,
    drop: async () => {
      await db.destroy();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

/**
 * Migrations applied to a database that holds data from an older schema. Embedded: a fresh
 * in-memory PGlite. Real: a schema of its own in the test database, dropped afterwards.
 */
describe(`migrations (${backend})`, () => {
  let db: Kysely<Schema>;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ db, drop } = await freshDatabase());
  });
  afterAll(async () => {
    await drop?.();
  });

  it('003 turns usage_events into per-minute usage_counts without losing a verification', async () => {
    expect(await migrate(db, migrations.slice(0, 2))).toEqual([1, 2]);

    const user = await sql<{ id: string }>`insert into users (email, password_hash) values (${`m-${randomUUID()}@example.com`}, 'x') returning id`.execute(db);
    const project = await sql<{ id: string }>`insert into projects (owner_id, name) values (${user.rows[0]?.id}, 'p') returning id`.execute(db);
    const projectId = project.rows[0]?.id ?? '';
    const credential = async (): Promise<string> => {
      const row = await sql<{ id: string }>`
        insert into credentials (project_id, kind, public_id, digest) values (${projectId}, 'key', ${randomUUID()}, 'd') returning id`.execute(db);
      return row.rows[0]?.id ?? '';
    };
    const a = await credential();
    const b = await credential();
    // Latencies exactly representable as `real`, so the sums compare exactly.
    const events: Array<[string, string, number, string]> = [
      [a, 'valid', 1, '2026-11-23T23:59:05Z'],
      [a, 'valid', 2, '2026-11-23T23:59:30Z'],
      [a, 'valid', 0.5, '2026-11-23T23:59:59.999Z'],
      [a, 'rate_limit_exceeded', 0.25, '2026-11-23T23:59:10Z'],
      [a, 'valid', 1, '2026-11-24T00:00:00Z'],
      [a, 'valid', 1, '2026-11-24T00:00:45.5Z'],
      [b, 'expired', 0.5, '2026-11-24T00:00:01Z'],
    ];
    for (const [credentialId, outcome, latency, at] of events) {
      await sql`
        insert into usage_events (project_id, credential_id, outcome, latency_ms, created_at)
        values (${projectId}, ${credentialId}, ${outcome}, ${latency}, ${at})`.execute(db);
    }

    expect(await migrate(db, migrations.slice(0, 3))).toEqual([3]);
    expect(await migrate(db, migrations.slice(0, 3))).toEqual([]);

    const gone = await sql<{ t: string | null }>`select to_regclass('usage_events')::text as t`.execute(db);
    expect(gone.rows[0]?.t).toBeNull();
    const rows = await db
      .selectFrom('usage_counts')
      .selectAll()
      .orderBy('minute')
      .orderBy('outcome')
      .execute();
    const label = (id: string): string => (id === a ? 'a' : id === b ? 'b' : id);
    expect(rows.map((r) => ({ ...r, credential_id: label(r.credential_id), minute: r.minute.toISOString() }))).toEqual([
      { project_id: projectId, credential_id: 'a', outcome: 'rate_limit_exceeded', minute: '2026-11-23T23:59:00.000Z', count: 1, latency_sum: 0.25 },
      { project_id: projectId, credential_id: 'a', outcome: 'valid', minute: '2026-11-23T23:59:00.000Z', count: 3, latency_sum: 3.5 },
      { project_id: projectId, credential_id: 'b', outcome: 'expired', minute: '2026-11-24T00:00:00.000Z', count: 1, latency_sum: 0.5 },
      { project_id: projectId, credential_id: 'a', outcome: 'valid', minute: '2026-11-24T00:00:00.000Z', count: 2, latency_sum: 2 },
    ]);

    // What the stats and the credential's usage read from the migrated counts (through the
    // roll-ups of migration 004).
    expect(await migrate(db, migrations.slice(0, 4))).toEqual([4]);
    expect(await projectStats(db, projectId, new Date('2026-11-20T00:00:00Z'))).toEqual({
      totalRequests: 7,
      successRate: 0.7143,
      topKeys: [
        { keyId: a, requests: 6 },
        { keyId: b, requests: 1 },
      ],
      requestsByDay: [
        { date: '2026-11-23', count: 4, errors: 1 },
        { date: '2026-11-24', count: 3, errors: 1 },
      ],
      rateLimitHits: 1,
      avgLatencyMs: 0.893,
    });
    expect(await credentialUsage(db, a, new Date('2026-11-24T12:00:00Z'))).toEqual({ totalVerifications: 6, last24h: 6, errorRate: 0.1667 });

    // New usage adds to the migrated rows; a credential that no longer exists is skipped.
    const minute = Date.parse('2026-11-23T23:59:00Z');
    await writeUsage(db, [
      { projectId, credentialId: a, kind: 'key', outcome: 'valid', minute, count: 2, latencySum: 1.5, lastAt: minute + 59_000 },
      { projectId, credentialId: randomUUID(), kind: 'key', outcome: 'valid', minute, count: 5, latencySum: 5, lastAt: minute },
    ]);
    const merged = await db.selectFrom('usage_counts').select(['count', 'latency_sum']).where('credential_id', '=', a).where('outcome', '=', 'valid').where('minute', '=', new Date(minute)).executeTakeFirstOrThrow();
    expect(merged).toEqual({ count: 5, latency_sum: 5 });
    const total = await db.selectFrom('usage_counts').select(({ fn }) => fn.sum<string>('count').as('n')).executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(9);
    const used = await db.selectFrom('credentials').select('last_used_at').where('id', '=', a).executeTakeFirstOrThrow();
    expect(used.last_used_at?.toISOString()).toBe('2026-11-23T23:59:59.000Z');
  });

  it('004 rolls the existing minute counts up into hours and days, in bigint', async () => {
    const fresh = await freshDatabase();
    try {
      const target = fresh.db;
      expect(await migrate(target, migrations.slice(0, 3))).toEqual([1, 2, 3]);
      const projectId = randomUUID();
      const [a, b] = [randomUUID(), randomUUID()];
      // Minute rows as 003 left them; one hour holds more than an int (2^31) in all.
      const rows: Array<[string, string, string, number, number]> = [
        [a, 'valid', '2026-11-23T22:59:00Z', 5, 2.5],
        [a, 'valid', '2026-11-23T23:00:00Z', 2_000_000_000, 1],
        [a, 'valid', '2026-11-23T23:59:00Z', 2_000_000_000, 1],
        [a, 'expired', '2026-11-23T23:30:00Z', 1, 0.5],
        [b, 'valid', '2026-11-24T00:00:00Z', 3, 3],
      ];
      for (const [credentialId, outcome, minute, count, latency] of rows) {
        await sql`
          insert into usage_counts (project_id, credential_id, outcome, minute, count, latency_sum)
          values (${projectId}, ${credentialId}, ${outcome}, ${minute}, ${count}, ${latency})`.execute(target);
      }

      expect(await migrate(target, migrations.slice(0, 4))).toEqual([4]);

      const label = (id: string): string => (id === a ? 'a' : id === b ? 'b' : id);
      const hourly = await sql<{ credential_id: string; outcome: string; at: Date; count: string; latency_sum: number; project_id: string }>`
        select credential_id, outcome, hour as at, count::text as count, latency_sum, project_id from usage_hourly order by hour, credential_id, outcome`.execute(target);
      expect(hourly.rows.map((r) => [label(r.credential_id), r.outcome, r.at.toISOString(), r.count, r.latency_sum, r.project_id === projectId])).toEqual([
        ['a', 'valid', '2026-11-23T22:00:00.000Z', '5', 2.5, true],
        ['a', 'expired', '2026-11-23T23:00:00.000Z', '1', 0.5, true],
        ['a', 'valid', '2026-11-23T23:00:00.000Z', '4000000000', 2, true],
        ['b', 'valid', '2026-11-24T00:00:00.000Z', '3', 3, true],
      ]);
      const daily = await sql<{ credential_id: string; outcome: string; at: Date; count: string; latency_sum: number }>`
        select credential_id, outcome, day as at, count::text as count, latency_sum from usage_daily order by day, credential_id, outcome`.execute(target);
      expect(daily.rows.map((r) => [label(r.credential_id), r.outcome, r.at.toISOString(), r.count, r.latency_sum])).toEqual([
        ['a', 'expired', '2026-11-23T00:00:00.000Z', '1', 0.5],
        ['a', 'valid', '2026-11-23T00:00:00.000Z', '4000000005', 4.5],
        ['b', 'valid', '2026-11-24T00:00:00.000Z', '3', 3],
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it('005 gives every user a personal workspace that holds their projects, losing nothing; 006 adds root keys', async () => {
    const fresh = await freshDatabase();
    try {
      const target = fresh.db;
      expect(await migrate(target, migrations.slice(0, 4))).toEqual([1, 2, 3, 4]);
      const user = async (): Promise<string> => (await sql<{ id: string }>`insert into users (email, password_hash) values (${`m-${randomUUID()}@example.com`}, 'x') returning id`.execute(target)).rows[0]?.id ?? '';
      const [alice, bob, carol] = [await user(), await user(), await user()];
      const project = async (ownerId: string, name: string): Promise<string> =>
        (await sql<{ id: string }>`insert into projects (owner_id, name) values (${ownerId}, ${name}) returning id`.execute(target)).rows[0]?.id ?? '';
      const [a1, a2, b1] = [await project(alice, 'a1'), await project(alice, 'a2'), await project(bob, 'b1')];
      const credential = (await sql<{ id: string }>`insert into credentials (project_id, kind, public_id, digest) values (${a1}, 'key', ${randomUUID()}, 'd') returning id`.execute(target)).rows[0]?.id;
      await sql`insert into audit_events (project_id, actor_id, action, target_type, target_id) values (${a1}, ${alice}, 'key.created', 'key', ${credential})`.execute(target);

      expect(await migrate(target, migrations.slice(0, 5))).toEqual([5]);

      const workspaces = await target.selectFrom('workspaces').selectAll().execute();
      expect(workspaces.map((w) => w.personal_of).sort()).toEqual([alice, bob, carol].sort());
      const personal = (userId: string): string => workspaces.find((w) => w.personal_of === userId)?.id ?? '';
      const members = await target.selectFrom('workspace_members').selectAll().execute();
      expect(members.map((m) => [m.workspace_id, m.user_id, m.role]).sort()).toEqual([alice, bob, carol].map((u) => [personal(u), u, 'owner']).sort());
      const projects = await target.selectFrom('projects').select(['id', 'name', 'owner_id', 'workspace_id']).orderBy('name').execute();
      expect(projects).toEqual([
        { id: a1, name: 'a1', owner_id: alice, workspace_id: personal(alice) },
        { id: a2, name: 'a2', owner_id: alice, workspace_id: personal(alice) },
        { id: b1, name: 'b1', owner_id: bob, workspace_id: personal(bob) },
      ]);
      // The same reach as before: each owner sees their projects, and only them.
      expect((await findProjectRef(target, a1, undefined, alice))?.role).toBe('owner');
      expect((await findProjectRef(target, a1, undefined, bob))?.role).toBeNull();
      expect((await listProjects(target, { userId: alice }, { limit: 10 })).items.map((p) => p.name).sort()).toEqual(['a1', 'a2']);
      expect((await listProjects(target, { userId: carol }, { limit: 10 })).items).toEqual([]);
      // Credentials and the audit log are untouched.
      expect(await target.selectFrom('credentials').select('id').where('project_id', '=', a1).execute()).toEqual([{ id: credential }]);
      expect(await target.selectFrom('audit_events').select(['project_id', 'action', 'workspace_id']).execute()).toEqual([{ project_id: a1, action: 'key.created', workspace_id: null }]);

      expect(await migrate(target, migrations.slice(0, 6))).toEqual([6]);
      expect(await migrate(target, migrations.slice(0, 6))).toEqual([]);
      const rootKeys = await sql<{ t: string | null }>`select to_regclass('root_keys')::text as t`.execute(target);
      expect(rootKeys.rows[0]?.t).toBe('root_keys');
    } finally {
      await fresh.drop();
    }
  });
  it('011 makes an identity of every key owner, once per workspace, keeping the keys as they were', async () => {
    const fresh = await freshDatabase();
    const target = fresh.db;
    try {
      const before = migrations.filter((m) => m.version < 11);
      await migrate(target, before);
      const user = (await sql<{ id: string }>`insert into users (email, password_hash) values (${`i-${randomUUID()}@example.com`}, 'x') returning id`.execute(target)).rows[0]?.id ?? '';
      const workspace = async (name: string): Promise<string> => (await sql<{ id: string }>`insert into workspaces (name) values (${name}) returning id`.execute(target)).rows[0]?.id ?? '';
      const [w1, w2] = [await workspace('one'), await workspace('two')];
      const project = async (workspaceId: string): Promise<string> => (await sql<{ id: string }>`insert into projects (owner_id, name, workspace_id) values (${user}, 'p', ${workspaceId}) returning id`.execute(target)).rows[0]?.id ?? '';
      const [p1, p1b, p2] = [await project(w1), await project(w1), await project(w2)];
      const key = async (projectId: string, ownerId: string | null, kind = 'key'): Promise<void> => {
        await sql`insert into credentials (project_id, kind, public_id, digest, owner_id) values (${projectId}, ${kind}, ${randomUUID()}, 'd', ${ownerId})`.execute(target);
      };
      await key(p1, 'user_1');
      await key(p1b, 'user_1');
      await key(p1, 'user_2');
      await key(p1, null);
      await key(p2, 'user_1');
      await key(p2, 'svc_owner', 'service');

      expect(await migrate(target, migrations.filter((m) => m.version <= 11))).toEqual([11]);
      const identities = await target.selectFrom('identities').select(['workspace_id', 'external_id', 'meta', 'ratelimits']).orderBy('external_id').execute();
      const where = (id: string): string => (id === w1 ? 'w1' : id === w2 ? 'w2' : id);
      expect(identities.map((i) => [where(i.workspace_id), i.external_id, i.meta, i.ratelimits]).sort()).toEqual([
        ['w1', 'user_1', null, []],
        ['w1', 'user_2', null, []],
        ['w2', 'user_1', null, []],
      ]);
      // The keys keep their owners: the identity is found through them.
      expect((await target.selectFrom('credentials').select('owner_id').where('project_id', '=', p1).orderBy('owner_id').execute()).map((r) => r.owner_id)).toEqual(['user_1', 'user_2', null]);
    } finally {
      await fresh.drop();
    }
  });

  it('012 indexes finished webhook deliveries and keys not of Elyzor\'s format, each by a partial index', async () => {
    const fresh = await freshDatabase();
    try {
      await migrate(fresh.db, migrations);
      const rows = (await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where schemaname = current_schema() and indexname in ('webhook_deliveries_finished_idx', 'credentials_foreign_format_idx') order by indexname`.execute(fresh.db)).rows;
      expect(rows.map((row) => row.indexname)).toEqual(['credentials_foreign_format_idx', 'webhook_deliveries_finished_idx']);
      expect(rows[0]?.indexdef).toMatch(/WHERE \(key_format IS NOT NULL\)/);
      expect(rows[1]?.indexdef).toMatch(/WHERE \(status = ANY \(ARRAY\['delivered'::text, 'failed'::text\]\)\)/);
    } finally {
      await fresh.drop();
    }
  });
});
