import { describe, it, expect } from 'vitest';
import { ManualClock } from '../clock.js';
import { CredentialCache, type CacheOptions } from './credential-cache.js';
import { credentialRecord } from '../../test-support/credential-record.js';
import type { CredentialRecord } from './record.js';

const T0 = 1_700_000_000_000;

function record(publicId: string, overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return credentialRecord(publicId, { id: `id_${publicId}`, limitKey: `id_${publicId}`, projectId: 'proj', digest: 'd'.repeat(64), ...overrides });
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A store that answers from a map and counts the reads per id. */
function store(records: Record<string, CredentialRecord> = {}) {
  const calls: string[] = [];
  const fetch = (publicId: string): Promise<CredentialRecord | null> => {
    calls.push(publicId);
    return Promise.resolve(records[publicId] ?? null);
  };
  return { fetch, calls, records };
}

/** A store whose reads stay pending until the test settles them, one deferred per read. */
function manualStore() {
  const pending: Array<Deferred<CredentialRecord | null>> = [];
  const fetch = (): Promise<CredentialRecord | null> => {
    const d = deferred<CredentialRecord | null>();
    pending.push(d);
    return d.promise;
  };
  return { fetch, pending };
}

const OPTIONS: CacheOptions = { ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 100 };

function setup(options: Partial<CacheOptions> = {}) {
  const clock = new ManualClock(T0);
  const cache = new CredentialCache(clock, { ...OPTIONS, ...options });
  return { clock, cache };
}

describe('CredentialCache', () => {
  it('serves a found record from memory within the TTL', async () => {
    const { cache } = setup();
    const s = store({ a: record('a') });
    expect(await cache.load('a', s.fetch)).toEqual(record('a'));
    expect(await cache.load('a', s.fetch)).toEqual(record('a'));
    expect(s.calls).toEqual(['a']);
    expect(cache.peek('a')).toEqual(record('a'));
  });

  it('counts lookups answered from memory as hits and those that wait for the store as misses, once each', async () => {
    const { cache, clock } = setup();
    const s = store({ a: record('a') });
    await cache.load('a', s.fetch);
    await cache.load('a', s.fetch);
    await cache.load('unknown', s.fetch);
    await cache.load('unknown', s.fetch);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 2 });
    // Concurrent misses on one id share one read, and each is a miss.
    clock.advance(60_000);
    await Promise.all([cache.load('a', s.fetch), cache.load('a', s.fetch)]);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 4 });
    expect(s.calls).toEqual(['a', 'unknown', 'a']);
  });

  it('reads again once the TTL has passed', async () => {
    const { cache, clock } = setup();
    const s = store({ a: record('a') });
    await cache.load('a', s.fetch);
    clock.advance(OPTIONS.ttlMs - 1);
    await cache.load('a', s.fetch);
    expect(s.calls).toHaveLength(1);
    clock.advance(1);
    expect(cache.peek('a')).toBeUndefined();
    await cache.load('a', s.fetch);
    expect(s.calls).toHaveLength(2);
  });

  it('caches unknown ids (negative entries) for negativeTtlMs', async () => {
    const { cache, clock } = setup();
    const s = store();
    for (let i = 0; i < 10; i++) expect(await cache.load('ghost', s.fetch)).toBeNull();
    expect(s.calls).toEqual(['ghost']);
    expect(cache.peek('ghost')).toBeNull();
    clock.advance(OPTIONS.negativeTtlMs - 1);
    await cache.load('ghost', s.fetch);
    expect(s.calls).toHaveLength(1);
    clock.advance(1);
    await cache.load('ghost', s.fetch);
    expect(s.calls).toHaveLength(2);
  });

  it('keeps negative entries for less time than found ones', async () => {
    const { cache, clock } = setup();
    const s = store({ a: record('a') });
    await cache.load('a', s.fetch);
    await cache.load('ghost', s.fetch);
    clock.advance(OPTIONS.negativeTtlMs);
    expect(cache.peek('ghost')).toBeUndefined();
    expect(cache.peek('a')).not.toBeUndefined();
  });

  it('caches nothing when a TTL is 0', async () => {
    const { cache } = setup({ negativeTtlMs: 0 });
    const s = store();
    await cache.load('ghost', s.fetch);
    await cache.load('ghost', s.fetch);
    expect(s.calls).toHaveLength(2);
    expect(cache.size).toBe(0);
  });

  it('peek reports undefined when nothing is cached', () => {
    const { cache } = setup();
    expect(cache.peek('nothing')).toBeUndefined();
  });

  it('shares one fetch between concurrent loads of the same id', async () => {
    const { cache } = setup();
    const s = manualStore();
    const loads = [cache.load('a', s.fetch), cache.load('a', s.fetch), cache.load('a', s.fetch)];
    expect(s.pending).toHaveLength(1);
    s.pending[0]?.resolve(record('a'));
    const results = await Promise.all(loads);
    expect(results.every((r) => r === results[0])).toBe(true);
    expect(results[0]?.publicId).toBe('a');
    expect(cache.peek('a')?.publicId).toBe('a');
  });

  it('does not share fetches between different ids', async () => {
    const { cache } = setup();
    const s = manualStore();
    const a = cache.load('a', s.fetch);
    const b = cache.load('b', s.fetch);
    expect(s.pending).toHaveLength(2);
    s.pending[0]?.resolve(record('a'));
    s.pending[1]?.resolve(null);
    expect((await a)?.publicId).toBe('a');
    expect(await b).toBeNull();
  });

  it('does not cache the result of a fetch that an invalidation overtook', async () => {
    const { cache } = setup();
    const s = manualStore();
    const stale = cache.load('a', s.fetch);
    cache.invalidate(['a']);
    s.pending[0]?.resolve(record('a', { enabled: true }));
    // The caller that started before the change still gets its answer...
    expect((await stale)?.enabled).toBe(true);
    // ...but it is not kept: the next load reads the store again.
    expect(cache.peek('a')).toBeUndefined();
    const fresh = cache.load('a', s.fetch);
    expect(s.pending).toHaveLength(2);
    s.pending[1]?.resolve(record('a', { enabled: false }));
    expect((await fresh)?.enabled).toBe(false);
    expect(cache.peek('a')?.enabled).toBe(false);
  });

  it('does not hand a load that starts after an invalidation the fetch that was running before it', async () => {
    const { cache } = setup();
    const s = manualStore();
    const before = cache.load('a', s.fetch);
    cache.invalidate(['a']);
    const after = cache.load('a', s.fetch);
    expect(s.pending).toHaveLength(2);
    s.pending[1]?.resolve(record('a', { enabled: false }));
    s.pending[0]?.resolve(record('a', { enabled: true }));
    expect((await after)?.enabled).toBe(false);
    expect((await before)?.enabled).toBe(true);
    expect(cache.peek('a')?.enabled).toBe(false);
  });

  it('keeps sharing the post-invalidation fetch when the overtaken one settles first', async () => {
    const { cache } = setup();
    const s = manualStore();
    const before = cache.load('a', s.fetch);
    cache.invalidate(['a']);
    const after = cache.load('a', s.fetch);
    s.pending[0]?.resolve(record('a', { enabled: true }));
    await before;
    // The fetch started after the invalidation is still running: a new load joins it.
    const joined = cache.load('a', s.fetch);
    expect(s.pending).toHaveLength(2);
    s.pending[1]?.resolve(record('a', { enabled: false }));
    expect((await joined)?.enabled).toBe(false);
    expect((await after)?.enabled).toBe(false);
  });

  it('clear() forgets everything and also keeps overtaken fetches out', async () => {
    const { cache } = setup();
    const s = store({ a: record('a') });
    await cache.load('a', s.fetch);
    const m = manualStore();
    const running = cache.load('b', m.fetch);
    cache.clear();
    expect(cache.size).toBe(0);
    m.pending[0]?.resolve(record('b'));
    await running;
    expect(cache.peek('b')).toBeUndefined();
    await cache.load('a', s.fetch);
    expect(s.calls).toEqual(['a', 'a']);
  });

  it('invalidate() drops cached entries, found and negative', async () => {
    const { cache } = setup();
    const s = store({ a: record('a') });
    await cache.load('a', s.fetch);
    await cache.load('ghost', s.fetch);
    cache.invalidate(['a', 'ghost']);
    expect(cache.size).toBe(0);
    await cache.load('a', s.fetch);
    await cache.load('ghost', s.fetch);
    expect(s.calls).toEqual(['a', 'ghost', 'a', 'ghost']);
  });

  it('evicts the oldest entry when maxEntries is reached', async () => {
    const { cache } = setup({ maxEntries: 2 });
    const s = store({ a: record('a'), b: record('b'), c: record('c') });
    await cache.load('a', s.fetch);
    await cache.load('b', s.fetch);
    await cache.load('c', s.fetch);
    expect(cache.size).toBe(2);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('b')?.publicId).toBe('b');
    expect(cache.peek('c')?.publicId).toBe('c');
  });

  it('treats a re-set entry as the newest', () => {
    const { cache } = setup({ maxEntries: 2 });
    cache.set('a', record('a'));
    cache.set('b', record('b'));
    cache.set('a', record('a'));
    cache.set('c', record('c'));
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('a')?.publicId).toBe('a');
    expect(cache.peek('c')?.publicId).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('never holds more than maxEntries', async () => {
    const { cache } = setup({ maxEntries: 10 });
    const s = store();
    for (let i = 0; i < 100; i++) await cache.load(`id${i}`, s.fetch);
    expect(cache.size).toBe(10);
    expect(cache.peek('id89')).toBeUndefined();
    expect(cache.peek('id90')).toBeNull();
    expect(cache.peek('id99')).toBeNull();
  });

  it('propagates a failed fetch to every waiting caller and caches nothing', async () => {
    const { cache } = setup();
    const s = manualStore();
    const first = cache.load('a', s.fetch);
    const second = cache.load('a', s.fetch);
    const boom = new Error('database down');
    s.pending[0]?.reject(boom);
    await expect(first).rejects.toBe(boom);
    await expect(second).rejects.toBe(boom);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    // The failure is not remembered: the next load tries the store again.
    const retry = cache.load('a', s.fetch);
    expect(s.pending).toHaveLength(2);
    s.pending[1]?.resolve(record('a'));
    expect((await retry)?.publicId).toBe('a');
  });
});
