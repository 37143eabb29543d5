import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';

const CREDENTIALS = 350;
const MINUTES = 1440;

/**
 * Stats reads of a large project, many at once, beside the verification path and the health
 * probe. The real backends run two instances on one database: the reads go to the first, the
 * probe and verifications to both.
 */
describe(`stats under load (${backend})`, () => {
  const apps: TestApp[] = [];
  beforeAll(async () => {
    // One signing secret, so that a user's token is good on both instances.
    const env = { JWT_SECRET: randomBytes(32).toString('hex') };
    apps.push(await startApp({ env }));
    if (backend === 'real') apps.push(await startApp({ env }));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('keeps /v1/health and cache-miss verifications answering while 20 heavy stats reads run', { timeout: 180_000 }, async () => {
    const [first] = apps;
    if (first === undefined) throw new Error('no app');
    const { user, projectId } = await userWithProject(first.app);
    const key = await createKey(first.app, user.accessToken, projectId);
    // A few hundred keys verified every minute for a day, written the cheap way: ~500k rows.
    const db = first.deps.db;
    await sql`
      insert into credentials (project_id, kind, public_id, digest)
      select ${projectId}, 'key', 'load' || md5(${projectId} || g::text), 'd' from generate_series(1, ${CREDENTIALS}) g`.execute(db);
    const since = new Date(Math.floor(first.deps.clock.now() / 60_000) * 60_000 - MINUTES * 60_000);
    await sql`
      insert into usage_counts (project_id, credential_id, outcome, minute, count, latency_sum)
      select c.project_id, c.id, 'valid', ${since}::timestamptz + make_interval(mins => m), 1, 1
      from credentials c cross join generate_series(1, ${MINUTES}) m
      where c.project_id = ${projectId} and c.public_id like 'load%'`.execute(db);
    // The roll-ups the usage writer keeps beside the minutes, built the same cheap way.
    for (const [table, unit] of [['usage_hourly', 'hour'], ['usage_daily', 'day']] as const) {
      await sql`
        insert into ${sql.table(table)} (project_id, credential_id, outcome, ${sql.ref(unit)}, count, latency_sum)
        select project_id, credential_id, outcome, date_trunc(${unit}, minute at time zone 'UTC') at time zone 'UTC', sum(count), sum(latency_sum)
        from usage_counts where project_id = ${projectId}
        group by 1, 2, 3, 4`.execute(db);
    }

    // Every verification below misses the cache.
    for (const app of apps) app.deps.cache.clear();
    const reads: Array<Promise<LightMyRequestResponse>> = [];
    for (let i = 0; i < 20; i++) {
      reads.push(first.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/stats?range=30d`, headers: bearer(user.accessToken) }));
    }
    // Once one read is answered the others are under way: the probe and the verifications
    // arrive behind them, as they would in service.
    await Promise.race(reads);
    const health = apps.map((app) => app.app.inject({ method: 'GET', url: '/v1/health' }));
    const verified = apps.map((app) => verifyKey(app.app, key.key));

    for (const response of await Promise.all(health)) {
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ status: 'ok', database: 'ok' });
    }
    for (const response of await Promise.all(verified)) {
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ valid: true });
    }
    // Each read is answered in full, or refused with a retry hint (too many at once for one
    // user), never failed.
    const answers = await Promise.all(reads);
    let full = 0;
    for (const response of answers) {
      if (response.statusCode === 429) {
        expect(response.json()).toMatchObject({ error: 'too_many_requests' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        continue;
      }
      expect(response.statusCode, response.body).toBe(200);
      // The verifications above may count too.
      expect(response.json<{ totalRequests: number }>().totalRequests).toBeGreaterThanOrEqual(CREDENTIALS * MINUTES);
      full++;
    }
    expect(full).toBeGreaterThan(0);
  });
});
