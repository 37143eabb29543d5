import { ManualClock } from '@elyzor/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, type ApiKeyManager, type ConfigInput } from '../src/index.js';
import { redisUrl } from './helpers/backends.js';

/**
 * Elyzor's extras on verify: rate limits (sliding window, token bucket), quotas, credits with
 * refill, IP rules. Limits must be exact under concurrency: in memory (one synchronous
 * check-and-spend) and in Redis (the service's script, atomic in Redis).
 */
const limiters: Array<{ name: string; config: () => ConfigInput }> = [{ name: 'memory', config: () => ({}) }];
const clients: Redis[] = [];
const url = redisUrl;
if (url !== undefined) {
  limiters.push({
    name: 'redis',
    config: () => {
      const redis = new Redis(url);
      clients.push(redis);
      return { redis, limits: 'redis' };
    },
  });
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

async function burst(keys: ApiKeyManager, key: string, n: number): Promise<Map<string, number>> {
  const results = await Promise.all(Array.from({ length: n }, () => keys.verify(key)));
  const counts = new Map<string, number>();
  for (const r of results) {
    const label = r.valid ? 'valid' : (r.errorCode ?? '?');
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

for (const limiter of limiters) {
  describe(`limits (${limiter.name})`, () => {
    it('500 concurrent verifications at a sliding-window limit of 100 admit exactly 100', async () => {
      const keys = createKeys({ ...limiter.config(), cache: true, autoTrackUsage: false });
      const { key } = await keys.create({ ownerId: 'u', rateLimit: { algorithm: 'sliding_window', limit: 100, windowSeconds: 3600 } });
      const counts = await burst(keys, key, 500);
      expect(counts.get('valid')).toBe(100);
      expect(counts.get('RATE_LIMIT_EXCEEDED')).toBe(400);
    });

    it('a token bucket admits its burst exactly, under concurrency', async () => {
      const keys = createKeys({ ...limiter.config(), autoTrackUsage: false });
      const { key } = await keys.create({ ownerId: 'u', rateLimit: { algorithm: 'token_bucket', limit: 1, windowSeconds: 3600, burst: 40 } });
      expect((await burst(keys, key, 200)).get('valid')).toBe(40);
    });

    it('a daily quota of 50 admits exactly 50, and reports what is left', async () => {
      const keys = createKeys({ ...limiter.config(), autoTrackUsage: false });
      const { key } = await keys.create({ ownerId: 'u', quota: { limit: 50, period: 'day' } });
      const first = await keys.verify(key);
      expect(first.limits?.quota).toMatchObject({ limit: 50, remaining: 49 });
      const counts = await burst(keys, key, 300);
      expect(counts.get('valid')).toBe(49);
      expect(counts.get('QUOTA_EXCEEDED')).toBe(251);
    });

    it('credits are spent by cost, exactly, and a refused request spends nothing of its other limits', async () => {
      const keys = createKeys({ ...limiter.config(), autoTrackUsage: false });
      const { key } = await keys.create({ ownerId: 'u', credits: { remaining: 30 }, rateLimit: { algorithm: 'sliding_window', limit: 1000, windowSeconds: 3600 } });
      const results = await Promise.all(Array.from({ length: 100 }, () => keys.verify(key, { cost: 3 })));
      expect(results.filter((r) => r.valid)).toHaveLength(10);
      const refused = results.find((r) => !r.valid);
      expect(refused).toMatchObject({ errorCode: 'CREDITS_EXHAUSTED', retryAfterMs: expect.any(Number) });
      const after = await keys.verify(key, { cost: 0 });
      // Ten admitted at cost 3 spent 30; the ninety refusals spent nothing.
      expect(after.limits?.rateLimit?.remaining).toBe(970);
    });
  });
}

describe('limits over time (memory, manual clock)', () => {
  it('credits refill at the start of each UTC day', async () => {
    const clock = new ManualClock(Date.parse('2025-05-10T12:00:00Z'));
    const keys = createKeys({ clock, autoTrackUsage: false });
    const { key } = await keys.create({ ownerId: 'u', credits: { remaining: 2, refill: { amount: 5, interval: 'day' } } });
    expect((await burst(keys, key, 4)).get('valid')).toBe(2);
    clock.set(Date.parse('2025-05-11T00:00:01Z'));
    expect((await burst(keys, key, 8)).get('valid')).toBe(5);
  });

  it('a sliding window admits again once the window has moved on, and says when', async () => {
    const clock = new ManualClock(Date.parse('2025-05-10T12:00:00Z'));
    const keys = createKeys({ clock, autoTrackUsage: false });
    const { key } = await keys.create({ ownerId: 'u', rateLimit: { algorithm: 'sliding_window', limit: 2, windowSeconds: 60 } });
    await keys.verify(key);
    await keys.verify(key);
    const refused = await keys.verify(key);
    expect(refused).toMatchObject({ valid: false, errorCode: 'RATE_LIMIT_EXCEEDED' });
    clock.advance(refused.retryAfterMs ?? 0);
    expect((await keys.verify(key)).valid).toBe(true);
  });

  it('a rotated key keeps its predecessor’s counters', async () => {
    const keys = createKeys({ autoTrackUsage: false, rotationGracePeriod: 60 });
    const old = await keys.create({ ownerId: 'u', quota: { limit: 3, period: 'month' } });
    await keys.verify(old.key);
    await keys.verify(old.key);
    const next = await keys.rotate(old.record.id);
    expect((await keys.verify(next.key)).valid).toBe(true);
    expect((await keys.verify(next.key)).errorCode).toBe('QUOTA_EXCEEDED');
    expect((await keys.verify(old.key)).errorCode).toBe('QUOTA_EXCEEDED');
  });
});

describe('IP rules', () => {
  it('the deny list wins; an allow list admits only its addresses; no address given means no', async () => {
    const keys = createKeys({ autoTrackUsage: false });
    const { key } = await keys.create({ ownerId: 'u', ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'], ipDenylist: ['10.0.0.66'] });
    expect((await keys.verify(key, { ip: '10.1.2.3' })).valid).toBe(true);
    expect((await keys.verify(key, { ip: '2001:db8::1' })).valid).toBe(true);
    expect(await keys.verify(key, { ip: '10.0.0.66' })).toMatchObject({ valid: false, errorCode: 'IP_NOT_ALLOWED' });
    expect((await keys.verify(key, { ip: '192.168.0.1' })).errorCode).toBe('IP_NOT_ALLOWED');
    expect((await keys.verify(key)).errorCode).toBe('IP_NOT_ALLOWED');
    const open = await keys.create({ ownerId: 'u' });
    expect((await keys.verify(open.key)).valid).toBe(true);
  });
});
