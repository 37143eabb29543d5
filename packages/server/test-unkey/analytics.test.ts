import { ManualClock } from '@elyzor/core';
import { BadRequestErrorResponse, ForbiddenErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

// Mid-hour, so that the verifications below fall in one hour and one day.
const clock = new ManualClock(Date.UTC(2026, 5, 10, 12, 30));
let world: UnkeyWorld;
let apiId: string;
let otherApiId: string;
let keyA: { key: string; keyId: string };
let keyB: { key: string; keyId: string };
let analyst: UnkeyWorld['unkey'];

const caught = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e);
const query = async (q: string, sdk = analyst) => (await sdk.analytics.getVerifications({ query: q })).data;

beforeAll(async () => {
  world = await startUnkeyWorld({ clock });
  apiId = (await world.unkey.apis.createApi({ name: 'analytics-suite' })).data.apiId;
  otherApiId = (await world.unkey.apis.createApi({ name: 'analytics-other' })).data.apiId;
  keyA = (await world.unkey.keys.createKey({ apiId, permissions: ['read'] })).data;
  keyB = (await world.unkey.keys.createKey({ apiId, enabled: false })).data;
  const other = (await world.unkey.keys.createKey({ apiId: otherApiId })).data;
  // keyA: 3 valid and 1 refused for its permissions; keyB: 2 disabled; the other API's key: 1 valid.
  for (let i = 0; i < 3; i += 1) await world.unkey.keys.verifyKey({ key: keyA.key });
  await world.unkey.keys.verifyKey({ key: keyA.key, permissions: 'write' });
  for (let i = 0; i < 2; i += 1) await world.unkey.keys.verifyKey({ key: keyB.key });
  await world.unkey.keys.verifyKey({ key: other.key });
  await world.server.deps.usage.flush();
  analyst = world.sdk(await world.rootKeyWith([`api.${apiId}.read_analytics`]));
});
afterAll(async () => {
  await world.close();
});

describe('analytics.getVerifications', () => {
  it('counts by outcome, over the APIs the root key may read', async () => {
    const rows = await query('SELECT outcome, COUNT(*) AS total FROM key_verifications_v1 GROUP BY outcome ORDER BY total DESC');
    expect(rows).toEqual([
      { outcome: 'VALID', total: 3 },
      { outcome: 'DISABLED', total: 2 },
      { outcome: 'INSUFFICIENT_PERMISSIONS', total: 1 },
    ]);
    // With api.*.read_analytics the other API's verification counts too.
    const all = world.sdk(await world.rootKeyWith(['api.*.read_analytics']));
    expect(await query("SELECT countIf(outcome = 'VALID') AS valid FROM key_verifications_v1", all)).toEqual([{ valid: 4 }]);
  });

  it('counts by key, filtered by outcome and time', async () => {
    const rows = await query(`SELECT key_id, SUM(count) AS total FROM key_verifications_per_day_v1 WHERE outcome IN ('VALID', 'DISABLED') AND time >= now() - INTERVAL 7 DAY GROUP BY key_id ORDER BY total DESC`);
    expect(rows).toEqual([
      { key_id: keyA.keyId, total: 3 },
      { key_id: keyB.keyId, total: 2 },
    ]);
    expect(await query(`SELECT COUNT(*) AS n FROM key_verifications_v1 WHERE key_id = '${keyA.keyId}' AND outcome = 'VALID'`)).toEqual([{ n: 3 }]);
    expect(await query(`SELECT COUNT(*) AS n FROM key_verifications_v1 WHERE time < ${Date.UTC(2026, 5, 10)}`)).toEqual([{ n: 0 }]);
  });

  it('counts by time bucket (epoch milliseconds)', async () => {
    const hourly = await query('SELECT toStartOfHour(time) AS hour, SUM(count) AS total FROM key_verifications_per_hour_v1 GROUP BY hour ORDER BY hour');
    expect(hourly).toEqual([{ hour: Date.UTC(2026, 5, 10, 12), total: 6 }]);
    const daily = await query("SELECT time, sumIf(count, outcome = 'VALID') AS valid FROM key_verifications_per_day_v1 GROUP BY time");
    expect(daily).toEqual([{ time: Date.UTC(2026, 5, 10), valid: 3 }]);
    const monthly = await query('SELECT time, SUM(count) AS total FROM key_verifications_per_month_v1 GROUP BY time');
    expect(monthly).toEqual([{ time: Date.UTC(2026, 5, 1), total: 6 }]);
  });

  it('is a 400 for what it does not support, naming the query', async () => {
    for (const bad of ['DROP TABLE credentials', 'SELECT * FROM key_verifications_v1', 'SELECT COUNT(*) FROM credentials', "SELECT outcome, COUNT(*) FROM key_verifications_v1", 'SELECT SUM(count) FROM key_verifications_v1', "SELECT COUNT(*) FROM key_verifications_v1 WHERE identity_id = 'x'", 'SELECT COUNT(*) FROM key_verifications_v1 UNION SELECT 1', "SELECT COUNT(*) FROM key_verifications_v1 WHERE outcome = 'VALID' OR 1 = 1"]) {
      const error = await caught(query(bad));
      expect(error, bad).toBeInstanceOf(BadRequestErrorResponse);
      expect((error as BadRequestErrorResponse).error.errors[0]?.location).toBe('body.query');
    }
  });

  it('is a 403 without api.*.read_analytics', async () => {
    expect(await caught(query('SELECT COUNT(*) FROM key_verifications_v1', world.unkey))).toBeInstanceOf(ForbiddenErrorResponse);
  });
});
