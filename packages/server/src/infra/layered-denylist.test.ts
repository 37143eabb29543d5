import { ManualClock } from '@elyzor/core';
import { describe, expect, it } from 'vitest';
import type { DenylistRecord, TokenDenylist } from './denylist.js';
import { LayeredDenylist } from './layered-denylist.js';

/** The database's twin: entries in a map. */
class MemoryRecord implements DenylistRecord {
  readonly entries = new Map<string, Date>();
  add(jti: string, expiresAt: Date): Promise<void> {
    this.entries.set(jti, expiresAt);
    return Promise.resolve();
  }
  has(jti: string): Promise<boolean> {
    return Promise.resolve(this.entries.has(jti));
  }
  live(): Promise<Array<{ jti: string; expiresAt: Date }>> {
    return Promise.resolve([...this.entries].map(([jti, expiresAt]) => ({ jti, expiresAt })));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Redis's twin: entries in a map, and a switch that makes it unreachable (or lose everything, as a restart does). */
class MemoryFastPath implements TokenDenylist {
  readonly entries = new Set<string>();
  down = false;
  /** Writes of these jtis fail (a write lost to a blip while others go through). */
  readonly failing = new Set<string>();
  add(jti: string): Promise<void> {
    if (this.down || this.failing.has(jti)) return Promise.reject(new Error('Connection is closed.'));
    this.entries.add(jti);
    return Promise.resolve();
  }
  has(jti: string): Promise<boolean> {
    if (this.down) return Promise.reject(new Error('Connection is closed.'));
    return Promise.resolve(this.entries.has(jti));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const EXPIRES = new Date(Date.UTC(2030, 0, 1));
const RETRY_MS = 5000;
/** Lets a copy started in the background finish (the twins answer at once). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const record = new MemoryRecord();
  const fast = new MemoryFastPath();
  const denylist = new LayeredDenylist(record, fast, clock, { retryMs: RETRY_MS });
  return { clock, record, fast, denylist };
}

describe('LayeredDenylist', () => {
  it('writes every denial to the record and to the fast path, and reads the fast path once it holds the record', async () => {
    const { record, fast, denylist } = setup();
    await denylist.add('a', EXPIRES);
    expect(record.entries.has('a')).toBe(true);
    expect(fast.entries.has('a')).toBe(true);
    // Until the record has been copied over, checks go to the record.
    expect(denylist.fastPath).toBe(false);
    expect(await denylist.has('a')).toBe(true);
    await settle();
    expect(denylist.fastPath).toBe(true);
    expect(await denylist.has('a')).toBe(true);
    expect(await denylist.has('b')).toBe(false);
  });

  it('keeps working while the fast path is down: denials are recorded and checked in the record', async () => {
    const { record, fast, denylist } = setup();
    await denylist.has('warm-up');
    await settle();
    fast.down = true;
    await denylist.add('during', EXPIRES);
    expect(record.entries.has('during')).toBe(true);
    expect(denylist.fastPath).toBe(false);
    expect(await denylist.has('during')).toBe(true);
    expect(await denylist.has('other')).toBe(false);
  });

  it('copies the record back into a fast path that returns empty, after retryMs, before trusting it again', async () => {
    const { clock, fast, denylist } = setup();
    await denylist.add('before', EXPIRES);
    await denylist.has('x');
    await settle();
    fast.down = true;
    await denylist.add('during', EXPIRES);
    // Redis restarts without its data.
    fast.entries.clear();
    fast.down = false;
    expect(await denylist.has('during')).toBe(true);
    await settle();
    // Not yet: the copy waits for retryMs after the failure.
    expect(denylist.fastPath).toBe(false);
    clock.advance(RETRY_MS);
    expect(await denylist.has('during')).toBe(true);
    await settle();
    expect(denylist.fastPath).toBe(true);
    expect([...fast.entries].sort()).toEqual(['before', 'during']);
    expect(await denylist.has('before')).toBe(true);
    expect(await denylist.has('during')).toBe(true);
  });

  it('stops trusting the fast path when its connection closes, even if no command failed (a restart that lost its data)', async () => {
    const { clock, fast, denylist } = setup();
    await denylist.add('a', EXPIRES);
    await denylist.has('x');
    await settle();
    expect(denylist.fastPath).toBe(true);
    fast.entries.clear();
    denylist.fastPathLost();
    expect(await denylist.has('a')).toBe(true);
    clock.advance(RETRY_MS);
    await denylist.has('x');
    await settle();
    expect(denylist.fastPath).toBe(true);
    expect(fast.entries.has('a')).toBe(true);
  });

  it('does not trust a copy that raced a failed write to the fast path', async () => {
    const { clock, fast, denylist } = setup();
    fast.down = true;
    await denylist.add('lost', EXPIRES);
    fast.down = false;
    clock.advance(RETRY_MS);
    // The copy starts (its snapshot of the record is taken now); a denial whose fast-path write
    // fails lands while it runs. The copy's own writes succeed, yet the fast path lacks 'raced'.
    fast.failing.add('raced');
    void denylist.has('x');
    await denylist.add('raced', EXPIRES);
    await settle();
    expect(fast.entries.has('lost')).toBe(true);
    expect(fast.entries.has('raced')).toBe(false);
    expect(denylist.fastPath).toBe(false);
    expect(await denylist.has('raced')).toBe(true);
    // The next copy, due retryMs after that failure, makes the fast path whole.
    fast.failing.clear();
    clock.advance(RETRY_MS);
    await denylist.has('x');
    await settle();
    expect(denylist.fastPath).toBe(true);
    expect(fast.entries.has('raced')).toBe(true);
  });

  it('fails a denial the record cannot take: a logout is never half done', async () => {
    const { record, denylist } = setup();
    record.add = () => Promise.reject(new Error('Connection terminated'));
    await expect(denylist.add('a', EXPIRES)).rejects.toThrow('Connection terminated');
  });
});
