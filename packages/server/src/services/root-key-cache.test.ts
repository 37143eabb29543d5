import { ManualClock } from '@elyzor/core';
import { describe, expect, it } from 'vitest';
import { RootKeyCache, type CachedRootKey } from './root-key-cache.js';

const key = (publicId: string): CachedRootKey => ({ actor: { type: 'root_key', rootKeyId: `id-${publicId}`, workspaceId: 'w', permissions: [] }, publicId, keyExpiresAt: null });

describe('RootKeyCache', () => {
  it('drops a key by its public id, and keeps nothing read before an invalidation', () => {
    const cache = new RootKeyCache(new ManualClock(0), { ttlMs: 30_000, maxEntries: 10 });
    cache.remember('d1', key('p1'), cache.invalidationCount);
    expect(cache.get('d1')?.publicId).toBe('p1');
    cache.invalidate(['p1']);
    expect(cache.get('d1')).toBeUndefined();
    const startedAt = cache.invalidationCount;
    cache.invalidate(['other']);
    cache.remember('d1', key('p1'), startedAt);
    expect(cache.get('d1')).toBeUndefined();
  });

  it('is bounded (oldest out first) and read again after its TTL', () => {
    const clock = new ManualClock(0);
    const cache = new RootKeyCache(clock, { ttlMs: 1_000, maxEntries: 2 });
    for (const n of [1, 2, 3]) cache.remember(`d${n}`, key(`p${n}`), cache.invalidationCount);
    expect(cache.size).toBe(2);
    expect(cache.get('d1')).toBeUndefined();
    expect(cache.get('d3')?.publicId).toBe('p3');
    clock.advance(1_000);
    expect(cache.get('d3')).toBeUndefined();
  });

  it('holds one digest per public id, and nothing with a TTL of 0', () => {
    const cache = new RootKeyCache(new ManualClock(0), { ttlMs: 30_000, maxEntries: 10 });
    cache.remember('old', key('p1'), cache.invalidationCount);
    cache.remember('new', key('p1'), cache.invalidationCount);
    expect(cache.get('old')).toBeUndefined();
    cache.invalidate(['p1']);
    expect(cache.get('new')).toBeUndefined();
    const off = new RootKeyCache(new ManualClock(0), { ttlMs: 0, maxEntries: 10 });
    off.remember('d1', key('p1'), off.invalidationCount);
    expect(off.size).toBe(0);
  });
});
