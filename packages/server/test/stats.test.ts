import { ManualClock } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import type { DB } from '../src/db/database.js';
import type { App } from '../src/http/types.js';
import { backend, bearer, createKey, createService, registerUser, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

const DAY = 86_400_000;
const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface Stats {
  totalRequests: number;
  successRate: number;
  topKeys: Array<{ keyId: string; requests: number }>;
  requestsByDay: Array<{ date: string; count: number; errors: number }>;
  rateLimitHits: number;
  avgLatencyMs: number;
}

function getStats(app: App, token: string | undefined, projectId: string, range?: string): Promise<LightMyRequestResponse> {
  const query = range === undefined ? '' : `?range=${encodeURIComponent(range)}`;
  return app.inject({ method: 'GET', url: `/v1/projects/${projectId}/stats${query}`, headers: token === undefined ? {} : bearer(token) });
}

async function statsOf(app: App, token: string, projectId: string, range?: string): Promise<Stats> {
  const response = await getStats(app, token, projectId, range);
  expect(response.statusCode).toBe(200);
  return response.json<Stats>();
}

async function verifyTimes(app: App, key: string, times: number, status = 200): Promise<void> {
  for (let i = 0; i < times; i++) expect((await verifyKey(app, key)).statusCode).toBe(status);
}

/** Verifications stored for the project: the sum of its usage counts. */
async function countUsage(db: DB, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('usage_counts')
    .select(({ fn }) => fn.sum<string | null>('count').as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

describe(`stats (${backend})`, () => {
  // A clock that stands still unless a test moves it: "today" cannot change under a test, and
  // the range test can place verifications days in the past.
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    // The usage timer never fires during the suite: what a reading shows, the reading itself
    // made visible.
    t = await startApp({ clock, env: { USAGE_FLUSH_INTERVAL_MS: '60000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows zeros, not NaN or null, for a project without requests', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const stats = await statsOf(t.app, user.accessToken, projectId);
    expect(stats).toMatchObject({ totalRequests: 0, successRate: 0, topKeys: [], requestsByDay: [], rateLimitHits: 0, avgLatencyMs: 0 });
  });

  it('counts requests, success rate, top keys and errors by day', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const a = await createKey(t.app, user.accessToken, projectId);
    const b = await createKey(t.app, user.accessToken, projectId);
    await verifyTimes(t.app, a.key, 3);
    await verifyTimes(t.app, b.key, 1);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${b.id}`, headers: bearer(user.accessToken) });
    expect(revoke.statusCode).toBe(204);
    await verifyTimes(t.app, b.key, 1, 403);

    const stats = await statsOf(t.app, user.accessToken, projectId);
    expect(stats).toMatchObject({
      totalRequests: 5,
      successRate: 0.8,
      topKeys: [
        { keyId: a.id, requests: 3 },
        { keyId: b.id, requests: 2 },
      ],
      requestsByDay: [{ date: utcDate(clock.now()), count: 5, errors: 1 }],
      rateLimitHits: 0,
    });
    expect(Number.isFinite(stats.avgLatencyMs)).toBe(true);
    expect(stats.avgLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('shows a verification in the very next reading', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    expect((await statsOf(t.app, user.accessToken, projectId)).totalRequests).toBe(0);
    await verifyTimes(t.app, key.key, 1);
    expect((await statsOf(t.app, user.accessToken, projectId)).totalRequests).toBe(1);
    await verifyTimes(t.app, key.key, 1);
    expect((await statsOf(t.app, user.accessToken, projectId)).totalRequests).toBe(2);
  });

  it('counts service verifications too', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const service = await createService(t.app, user.accessToken, projectId);
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    expect(await statsOf(t.app, user.accessToken, projectId)).toMatchObject({ totalRequests: 2, successRate: 1 });
  });

  it("counts only the project's own credentials", async () => {
    const { user, projectId } = await userWithProject(t.app);
    const other = await userWithProject(t.app);
    const mine = await createKey(t.app, user.accessToken, projectId);
    const theirs = await createKey(t.app, other.user.accessToken, other.projectId);
    await verifyTimes(t.app, mine.key, 1);
    await verifyTimes(t.app, theirs.key, 4);
    expect(await statsOf(t.app, user.accessToken, projectId)).toMatchObject({ totalRequests: 1, topKeys: [{ keyId: mine.id, requests: 1 }] });
  });

  it('reads range=1d, 7d and 30d, defaults to 7d, and reads an unknown range as 7d', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const now = clock.now();
    try {
      clock.set(now - 20 * DAY);
      await verifyTimes(t.app, key.key, 1);
      clock.set(now - 3 * DAY);
      await verifyTimes(t.app, key.key, 2);
    } finally {
      clock.set(now);
    }
    await verifyTimes(t.app, key.key, 1);

    expect((await statsOf(t.app, user.accessToken, projectId, '1d')).totalRequests).toBe(1);
    expect((await statsOf(t.app, user.accessToken, projectId, '7d')).totalRequests).toBe(3);
    expect((await statsOf(t.app, user.accessToken, projectId)).totalRequests).toBe(3);
    expect((await statsOf(t.app, user.accessToken, projectId, 'banana')).totalRequests).toBe(3);
    const month = await statsOf(t.app, user.accessToken, projectId, '30d');
    expect(month).toMatchObject({
      totalRequests: 4,
      requestsByDay: [
        { date: utcDate(now - 20 * DAY), count: 1, errors: 0 },
        { date: utcDate(now - 3 * DAY), count: 2, errors: 0 },
        { date: utcDate(now), count: 1, errors: 0 },
      ],
    });
  });

  describe('access', () => {
    it("answers 404 for another user's project", async () => {
      const { projectId } = await userWithProject(t.app);
      const stranger = await registerUser(t.app);
      const response = await getStats(t.app, stranger.accessToken, projectId);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
    });

    it('answers 404 for a malformed or unknown project id', async () => {
      const user = await registerUser(t.app);
      for (const id of ['not-a-uuid', '123', '00000000-0000-0000-0000-000000000000', "1' or '1'='1"]) {
        const response = await getStats(t.app, user.accessToken, id);
        expect(response.statusCode, id).toBe(404);
        expect(response.json()).toMatchObject({ error: 'not_found' });
      }
    });

    it('answers 401 without an access token, or with an API key in its place', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      for (const token of [undefined, key.key]) {
        const response = await getStats(t.app, token, projectId);
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({ error: 'unauthorized' });
      }
    });
  });

  describe('with a rate limit of 2', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startApp({ env: { RATE_LIMIT_DEFAULT: '2' } });
    });
    afterAll(async () => {
      await limited.close();
    });

    it('counts refused-by-limit requests as rate-limit hits and errors', async () => {
      const { user, projectId } = await userWithProject(limited.app);
      const key = await createKey(limited.app, user.accessToken, projectId);
      await verifyTimes(limited.app, key.key, 2);
      await verifyTimes(limited.app, key.key, 3, 429);
      const stats = await statsOf(limited.app, user.accessToken, projectId);
      expect(stats).toMatchObject({ totalRequests: 5, successRate: 0.4, rateLimitHits: 3, topKeys: [{ keyId: key.id, requests: 5 }] });
      expect(stats.requestsByDay).toHaveLength(1);
      expect(stats.requestsByDay[0]).toMatchObject({ count: 5, errors: 3 });
    });
  });

  it('writes every buffered usage record on shutdown', async () => {
    // Its own app, whose usage timer never fires: only the shutdown can write the records.
    const dedicated = await startApp({ env: { USAGE_FLUSH_INTERVAL_MS: '60000' } });
    let closed = false;
    try {
      const { user, projectId } = await userWithProject(dedicated.app);
      const key = await createKey(dedicated.app, user.accessToken, projectId);
      await verifyTimes(dedicated.app, key.key, 20);

      if (backend === 'real') {
        // The whole shutdown, then a fresh connection to the same database.
        await dedicated.close();
        closed = true;
        const database = await openDatabase({ url: dedicated.config.databaseUrl });
        try {
          expect(await countUsage(database.db, projectId)).toBe(20);
        } finally {
          await database.close();
        }
      } else {
        // The embedded database lives in memory and goes with the app: flush the way shutdown
        // does, then count before closing.
        await dedicated.deps.usage.close();
        expect(await countUsage(dedicated.deps.db, projectId)).toBe(20);
      }
    } finally {
      if (!closed) await dedicated.close();
    }
  });
});
