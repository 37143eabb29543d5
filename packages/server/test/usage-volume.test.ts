import { randomBytes } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { writeUsage } from '../src/store/usage.js';
import type { UsageBucket } from '../src/usage/usage-buffer.js';
import { backend, bearer, createKey, startApp, userWithProject, type TestApp } from './helpers/harness.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
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

async function getJson<T>(app: App, token: string, url: string): Promise<T> {
  const response = await app.inject({ method: 'GET', url, headers: bearer(token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
}

function bucket(projectId: string, credentialId: string, minute: number, count: number, outcome: UsageBucket['outcome'] = 'valid'): UsageBucket {
  return { projectId, credentialId, kind: 'key', outcome, minute, count, latencySum: count, lastAt: minute };
}

/** What the stats must answer: the sums over the minute counts whose minute starts at or after `since`. */
function expectedStats(buckets: readonly UsageBucket[], since: number): Pick<Stats, 'totalRequests' | 'rateLimitHits'> & { byKey: Map<string, number>; byDay: Map<string, { count: number; errors: number }> } {
  let totalRequests = 0;
  let rateLimitHits = 0;
  const byKey = new Map<string, number>();
  const byDay = new Map<string, { count: number; errors: number }>();
  for (const b of buckets) {
    if (b.minute < since) continue;
    totalRequests += b.count;
    if (b.outcome === 'rate_limit_exceeded') rateLimitHits += b.count;
    byKey.set(b.credentialId, (byKey.get(b.credentialId) ?? 0) + b.count);
    const day = byDay.get(utcDate(b.minute)) ?? { count: 0, errors: 0 };
    day.count += b.count;
    if (b.outcome !== 'valid') day.errors += b.count;
    byDay.set(utcDate(b.minute), day);
  }
  return { totalRequests, rateLimitHits, byKey, byDay };
}

describe(`usage in volume (${backend})`, () => {
  const clock = new ManualClock(Date.parse('2026-11-30T12:34:56.789Z'));
  let t: TestApp;
  /** A second instance on the same database and Redis (real backends only): what one wrote, the other reads. */
  let other: TestApp;
  beforeAll(async () => {
    // One signing secret, so that a user's token is good on both instances.
    const env = { USAGE_FLUSH_INTERVAL_MS: '60000', JWT_SECRET: randomBytes(32).toString('hex') };
    t = await startApp({ clock, env });
    other = backend === 'real' ? await startApp({ clock, env }) : t;
  });
  afterAll(async () => {
    if (other !== t) await other.close();
    await t.close();
  });

  it('sums usage above 2^31 exactly in the stats, the key GET and its usage series', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const now = clock.now();
    // A minute's count fits an int; three of them together do not (2^31 = 2,147,483,648).
    await writeUsage(t.deps.db, [
      bucket(projectId, key.id, now - 2 * DAY - 5 * MINUTE, 2_000_000_000),
      bucket(projectId, key.id, now - 3 * HOUR, 2_000_000_000),
      bucket(projectId, key.id, now - 2 * MINUTE, 1_500_000_000, 'rate_limit_exceeded'),
    ]);
    const total = 5_500_000_000;

    const stats = await getJson<Stats>(other.app, user.accessToken, `/v1/projects/${projectId}/stats?range=7d`);
    expect(stats).toMatchObject({
      totalRequests: total,
      successRate: 0.7273,
      topKeys: [{ keyId: key.id, requests: total }],
      requestsByDay: [
        { date: utcDate(now - 2 * DAY - 5 * MINUTE), count: 2_000_000_000, errors: 0 },
        { date: utcDate(now), count: 3_500_000_000, errors: 1_500_000_000 },
      ],
      rateLimitHits: 1_500_000_000,
      avgLatencyMs: 1,
    });

    const got = await getJson<{ usage: { totalVerifications: number; last24h: number; errorRate: number } }>(other.app, user.accessToken, `/v1/projects/${projectId}/keys/${key.id}`);
    expect(got.usage).toEqual({ totalVerifications: total, last24h: 3_500_000_000, errorRate: 0.2727 });

    const series = await getJson<{ days: Array<{ date: string; count: number; errors: number }> }>(other.app, user.accessToken, `/v1/projects/${projectId}/keys/${key.id}/usage?range=30d`);
    expect(series.days).toEqual([
      { date: utcDate(now - 2 * DAY - 5 * MINUTE), count: 2_000_000_000, errors: 0 },
      { date: utcDate(now), count: 3_500_000_000, errors: 1_500_000_000 },
    ]);

    // Deleting the project deletes its usage, roll-ups included.
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}`, headers: bearer(user.accessToken) });
    expect(deleted.statusCode).toBe(204);
    for (const table of ['usage_counts', 'usage_hourly', 'usage_daily'] as const) {
      const left = await t.deps.db.selectFrom(table).select('credential_id').where('project_id', '=', projectId).execute();
      expect(left, table).toEqual([]);
    }
  });

  it('answers ranges that cut through hours and days with the sums over the minutes', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const a = await createKey(t.app, user.accessToken, projectId);
    const b = await createKey(t.app, user.accessToken, projectId);
    const base = Date.parse('2026-11-30T00:00:00Z');
    // Minutes spread over 32 days, dense around hour and day boundaries, with every outcome;
    // a fixed pseudo-random sequence so that a failure reproduces.
    const buckets: UsageBucket[] = [];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const outcomes: Array<UsageBucket['outcome']> = ['valid', 'valid', 'valid', 'rate_limit_exceeded', 'key_expired'];
    const seen = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      const credential = i % 3 === 0 ? b.id : a.id;
      const offsetMinutes = i < 600 ? next(32 * 1440) : next(3) * 1440 + next(120) - 60;
      const minute = base - 31 * DAY + offsetMinutes * MINUTE + (i % 2 === 0 ? 0 : 23 * HOUR);
      const outcome = outcomes[next(outcomes.length)] ?? 'valid';
      const id = `${credential}|${outcome}|${minute}`;
      if (seen.has(id)) continue;
      seen.add(id);
      buckets.push(bucket(projectId, credential, minute, 1 + next(1000), outcome));
    }
    const end = Math.max(...buckets.map((x) => x.minute));
    await writeUsage(t.deps.db, buckets);

    const nows = [
      base, // midnight: every range starts on a day
      base + 13 * HOUR, // on an hour
      base + 13 * HOUR + 30 * MINUTE, // on a minute, inside an hour
      base + 13 * HOUR + 30 * MINUTE + 30_000, // inside a minute
      base + DAY - 1, // the last millisecond of a day
      end + MINUTE, // after the last count
    ];
    try {
      for (const now of nows) {
        clock.set(now);
        // Access tokens expire by the same clock: sign in again at each instant.
        const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: user.password } });
        expect(login.statusCode).toBe(200);
        const token = login.json<{ accessToken: string }>().accessToken;
        for (const [range, days] of [['1d', 1], ['7d', 7], ['30d', 30]] as const) {
          const since = now - days * DAY;
          const want = expectedStats(buckets, since);
          const stats = await getJson<Stats>(other.app, token, `/v1/projects/${projectId}/stats?range=${range}`);
          const label = `${new Date(now).toISOString()} ${range}`;
          expect(stats.totalRequests, label).toBe(want.totalRequests);
          expect(stats.rateLimitHits, label).toBe(want.rateLimitHits);
          expect(new Map(stats.topKeys.map((k) => [k.keyId, k.requests])), label).toEqual(want.byKey);
          expect(new Map(stats.requestsByDay.map((d) => [d.date, { count: d.count, errors: d.errors }])), label).toEqual(want.byDay);
          expect(stats.avgLatencyMs, label).toBe(want.totalRequests === 0 ? 0 : 1);

          const series = await getJson<{ days: Array<{ date: string; count: number; errors: number }> }>(other.app, token, `/v1/projects/${projectId}/keys/${a.id}/usage?range=${range}`);
          const ofA = expectedStats(buckets.filter((x) => x.credentialId === a.id), since);
          expect(new Map(series.days.map((d) => [d.date, { count: d.count, errors: d.errors }])), label).toEqual(ofA.byDay);
        }
        const got = await getJson<{ usage: { totalVerifications: number; last24h: number } }>(other.app, token, `/v1/projects/${projectId}/keys/${b.id}`);
        const ofB = buckets.filter((x) => x.credentialId === b.id);
        expect(got.usage.totalVerifications).toBe(expectedStats(ofB, -Infinity).totalRequests);
        expect(got.usage.last24h).toBe(expectedStats(ofB, now - DAY).totalRequests);
      }
    } finally {
      clock.set(Date.parse('2026-11-30T12:34:56.789Z'));
    }
  });
});
