import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeys, MemoryStore } from '../src/index.js';
import { RedisStore } from '../src/storage/redis.js';
import { redisUrl } from './helpers/backends.js';

/**
 * Several managers over the same keys (several processes of one app): a change made by one is
 * seen by the others on their next verify, when they share the store instance (in-process cache
 * told by the store) or a Redis cache; and usage counts stay exact under concurrency.
 */
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

describe('caches shared by several managers', () => {
  it('in-process caches over one store: a revocation by one manager is seen by the other at once', async () => {
    const storage = new MemoryStore();
    const a = createKeys({ storage, cache: true });
    const b = createKeys({ storage, cache: true });
    const { key, record } = await a.create({ ownerId: 'u' });
    expect((await b.verify(key)).valid).toBe(true); // cached in b
    await a.revoke(record.id);
    expect((await b.verify(key)).errorCode).toBe('REVOKED');
  });

  it.runIf(redisUrl !== undefined)('a Redis cache, two processes: a revocation or deletion by one is seen by the other at once', async () => {
    const prefix = `elyzor-keys-cache-test:${randomBytes(6).toString('hex')}:`;
    const one = new Redis(redisUrl ?? '');
    const two = new Redis(redisUrl ?? '');
    clients.push(one, two);
    const storeA = new RedisStore({ client: one, prefix });
    const a = createKeys({ storage: storeA, cache: 'redis', redis: one });
    const b = createKeys({ storage: new RedisStore({ client: two, prefix }), cache: 'redis', redis: two });
    const first = await a.create({ ownerId: 'u' });
    const second = await a.create({ ownerId: 'u' });
    expect((await b.verify(first.key)).valid).toBe(true);
    expect((await b.verify(second.key)).valid).toBe(true);
    await a.revoke(first.record.id);
    expect((await b.verify(first.key)).errorCode).toBe('REVOKED');
    // Deleted through process one's store (not a manager method): its manager hears it and drops
    // the shared cache entry.
    await storeA.delete(second.record.id);
    expect((await b.verify(second.key)).errorCode).toBe('INVALID_KEY');
    const stale = await one.keys(`${prefix}*`);
    if (stale.length > 0) await one.del(...stale);
  });
});

describe('usage counts', () => {
  const setups: Array<[string, () => Parameters<typeof createKeys>[0]]> = [['memory', () => ({})]];
  const url = redisUrl;
  if (url !== undefined) {
    setups.push([
      'redis',
      () => {
        const redis = new Redis(url);
        clients.push(redis);
        return { redis, limits: 'redis' };
      },
    ]);
  }
  it.each(setups)('300 concurrent verifications count 300 (%s)', async (_name, config) => {
    const keys = createKeys({ ...config(), cache: true });
    const { key, record } = await keys.create({ ownerId: 'u' });
    await Promise.all(Array.from({ length: 300 }, () => keys.verify(key)));
    expect(await keys.getUsage(record.id)).toBe(300);
    expect((await keys.findById(record.id))?.metadata.lastUsedAt).toEqual(expect.any(String));
  });
});
