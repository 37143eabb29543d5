import type { UsageEvent } from '@elyzor/core';
import { describe, expect, it } from 'vitest';
import { UsageBuffer, type UsageBucket, type UsageBufferOptions } from './usage-buffer.js';

const quiet = { warn: () => undefined, error: () => undefined };
const MINUTE = 60_000;
/** A minute boundary, so that `T + n` for small n stays in one minute. */
const T = Date.UTC(2026, 10, 23, 11, 0);

const event = (fields: Partial<UsageEvent> = {}): UsageEvent => ({
  projectId: 'p',
  credentialId: 'c',
  kind: 'key',
  outcome: 'valid',
  latencyMs: 1,
  at: T,
  ...fields,
});

const options = (fields: Partial<UsageBufferOptions> = {}): UsageBufferOptions => ({ flushIntervalMs: 60_000, batchSize: 100, maxBuffered: 1000, ...fields });

/** A buffer that records what it writes, copying the buckets (the buffer may reuse them). */
function recording(fields: Partial<UsageBufferOptions> = {}, fail?: () => boolean) {
  const batches: UsageBucket[][] = [];
  const buffer = new UsageBuffer(
    async (buckets) => {
      if (fail?.() === true) throw new Error('database down');
      batches.push(buckets.map((b) => ({ ...b })));
    },
    options(fields),
    quiet,
  );
  return { buffer, batches, written: () => batches.flat() };
}

/** Events per (credential, outcome, minute) in what was written, summed over batches. */
function totals(buckets: readonly UsageBucket[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of buckets) {
    const key = `${b.credentialId}|${b.outcome}|${b.minute}`;
    out[key] = (out[key] ?? 0) + b.count;
  }
  return out;
}

describe('UsageBuffer', () => {
  it('folds events of one credential, outcome and minute into one bucket: count, latency sum, latest time', async () => {
    const { buffer, written } = recording();
    buffer.record(event({ at: T + 30_000, latencyMs: 2.5 }));
    buffer.record(event({ at: T + 59_999, latencyMs: 0.25 }));
    buffer.record(event({ at: T + 10, latencyMs: 1 }));
    expect(buffer.size).toBe(3);
    await buffer.flush();
    expect(written()).toEqual([
      { projectId: 'p', credentialId: 'c', kind: 'key', outcome: 'valid', minute: T, count: 3, latencySum: 3.75, lastAt: T + 59_999, quota: null, credits: null },
    ]);
    expect(buffer.written).toBe(3);
    expect(buffer.size).toBe(0);
  });

  it("keeps the lowest quota and credits the limiter answered, of the latest period (for the thresholds found at the flush)", async () => {
    const { buffer, written } = recording();
    const decision = (remaining: number, resetAt = T + MINUTE * 60) => ({ allowed: true, limit: 10, remaining, resetAt, retryAfterMs: 0 });
    buffer.record(event({ quota: decision(5), credits: null }));
    buffer.record(event({ at: T + 1, quota: decision(3), credits: decision(7) }));
    buffer.record(event({ at: T + 2, quota: decision(4), credits: decision(8) }));
    buffer.record(event({ at: T + 3 }));
    buffer.record(event({ at: T + 4, outcome: 'quota_exceeded', quota: decision(0) }));
    await buffer.flush();
    expect(written().map((b) => [b.outcome, b.quota?.remaining, b.credits?.remaining])).toEqual([
      ['valid', 3, 7],
      ['quota_exceeded', 0, undefined],
    ]);
    // A later period wins over a lower count of the one before.
    buffer.record(event({ quota: decision(0) }));
    buffer.record(event({ quota: decision(9, T + MINUTE * 120) }));
    await buffer.flush();
    expect(written().at(-1)?.quota).toMatchObject({ remaining: 9, resetAt: T + MINUTE * 120 });
  });

  it('keeps separate buckets per minute (UTC), outcome and credential', async () => {
    const { buffer, written } = recording();
    buffer.record(event());
    buffer.record(event({ at: T + MINUTE - 1 }));
    buffer.record(event({ at: T + MINUTE }));
    buffer.record(event({ outcome: 'rate_limit_exceeded' }));
    buffer.record(event({ credentialId: 'd', projectId: 'q', kind: 'service' }));
    await buffer.close();
    const buckets = written();
    expect(buckets).toHaveLength(4);
    expect(totals(buckets)).toEqual({
      [`c|valid|${T}`]: 2,
      [`c|valid|${T + MINUTE}`]: 1,
      [`c|rate_limit_exceeded|${T}`]: 1,
      [`d|valid|${T}`]: 1,
    });
    expect(buckets.find((b) => b.credentialId === 'd')).toMatchObject({ projectId: 'q', kind: 'service' });
    expect(buffer.written).toBe(5);
  });

  it('writes at most batchSize buckets per write, oldest first, and starts a flush when a batch is waiting', async () => {
    const { buffer, batches } = recording({ batchSize: 3 });
    for (let i = 0; i < 7; i++) buffer.record(event({ credentialId: `c${i}` }));
    // The third bucket started a flush without the timer.
    await Promise.resolve();
    expect(batches.length).toBeGreaterThan(0);
    await buffer.close();
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.flat().map((b) => b.credentialId)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(buffer.written).toBe(7);
  });

  it('does not start a flush for events that only add to waiting buckets', async () => {
    const { buffer, batches } = recording({ batchSize: 3 });
    for (let i = 0; i < 100; i++) buffer.record(event({ credentialId: `c${i % 2}` }));
    await Promise.resolve();
    expect(batches).toEqual([]);
    expect(buffer.size).toBe(100);
    await buffer.flush();
    expect(totals(batches.flat())).toEqual({ [`c0|valid|${T}`]: 50, [`c1|valid|${T}`]: 50 });
  });

  it('keeps the buckets of a failed write and adds what came meanwhile: the counts written are exact', async () => {
    let fail = true;
    const { buffer, written } = recording({}, () => fail);
    for (let i = 0; i < 5; i++) buffer.record(event({ latencyMs: 1 }));
    buffer.record(event({ outcome: 'invalid_key' }));
    await buffer.flush();
    expect(buffer.lastError).toBeInstanceOf(Error);
    expect(buffer.size).toBe(6);
    expect(buffer.written).toBe(0);
    // More of the same key, and a new one, while the database is down.
    for (let i = 0; i < 3; i++) buffer.record(event({ latencyMs: 2, at: T + 5 }));
    buffer.record(event({ credentialId: 'd' }));
    await buffer.flush();
    expect(buffer.size).toBe(10);
    fail = false;
    await buffer.flush();
    expect(buffer.lastError).toBeNull();
    const buckets = written();
    expect(totals(buckets)).toEqual({ [`c|valid|${T}`]: 8, [`c|invalid_key|${T}`]: 1, [`d|valid|${T}`]: 1 });
    // One bucket per key: the retried bucket absorbed the new events.
    expect(buckets).toHaveLength(3);
    expect(buckets.find((b) => b.credentialId === 'c' && b.outcome === 'valid')).toMatchObject({ count: 8, latencySum: 11, lastAt: T + 5 });
    expect(buffer.size).toBe(0);
    expect(buffer.written).toBe(10);
    expect(buffer.dropped).toBe(0);
  });

  it('merges events recorded during a write that then fails into the retried buckets', async () => {
    let release = (): void => undefined;
    let attempts = 0;
    const writes: UsageBucket[][] = [];
    const buffer = new UsageBuffer(
      async (buckets) => {
        attempts++;
        if (attempts === 1) {
          await new Promise<void>((resolve) => (release = () => resolve()));
          throw new Error('connection lost');
        }
        writes.push(buckets.map((b) => ({ ...b })));
      },
      options(),
      quiet,
    );
    buffer.record(event());
    const first = buffer.flush();
    // The bucket is being written: a new one opens under the same key.
    buffer.record(event());
    buffer.record(event());
    release();
    await first;
    expect(buffer.size).toBe(3);
    await buffer.flush();
    expect(writes).toEqual([[expect.objectContaining({ credentialId: 'c', count: 3 })]]);
    expect(buffer.written).toBe(3);
  });

  it('a flush asked for during a write also writes what was recorded before it was asked for', async () => {
    let release = (): void => undefined;
    const written: UsageBucket[] = [];
    const buffer = new UsageBuffer(
      async (buckets) => {
        if (written.length === 0) await new Promise<void>((resolve) => (release = () => resolve()));
        written.push(...buckets);
      },
      options(),
      quiet,
    );
    buffer.record(event());
    const first = buffer.flush();
    buffer.record(event({ credentialId: 'd' }));
    const second = buffer.flush();
    release();
    await second;
    await first;
    expect(written.map((b) => b.credentialId)).toEqual(['c', 'd']);
    expect(buffer.size).toBe(0);
  });

  it('stays bounded while writes fail: the oldest buckets go first and their events are counted', async () => {
    const buffer = new UsageBuffer(() => Promise.reject(new Error('down')), options({ batchSize: 10, maxBuffered: 50 }), quiet);
    // 75 buckets of 2 events each, one minute apart: the oldest are the earliest minutes.
    for (let i = 0; i < 75; i++) {
      buffer.record(event({ at: T + i * MINUTE }));
      buffer.record(event({ at: T + i * MINUTE + 1 }));
    }
    await buffer.flush();
    expect(buffer.size).toBe(100);
    expect(buffer.dropped).toBe(50);
    expect(buffer.size + buffer.dropped).toBe(150);
    await buffer.close(0);
  });

  it('drops the oldest buckets, not the newest, when a failed write puts its batch back', async () => {
    let fail = true;
    const { buffer, written } = recording({ batchSize: 1000, maxBuffered: 3 }, () => fail);
    for (let i = 0; i < 3; i++) buffer.record(event({ at: T + i * MINUTE }));
    await buffer.flush();
    expect(buffer.size).toBe(3);
    buffer.record(event({ at: T + 3 * MINUTE }));
    expect(buffer.dropped).toBe(1);
    fail = false;
    await buffer.close();
    expect(written().map((b) => b.minute)).toEqual([T + MINUTE, T + 2 * MINUTE, T + 3 * MINUTE]);
    expect(buffer.written).toBe(3);
  });

  it('close writes everything left, retrying a failed write, and stops the timer', async () => {
    let failures = 2;
    const { buffer, written } = recording({ flushIntervalMs: 10 }, () => failures-- > 0);
    buffer.start();
    for (let i = 0; i < 4; i++) buffer.record(event({ credentialId: `c${i % 2}` }));
    await buffer.close();
    expect(totals(written())).toEqual({ [`c0|valid|${T}`]: 2, [`c1|valid|${T}`]: 2 });
    expect(buffer.size).toBe(0);
    expect(buffer.written).toBe(4);
    expect(buffer.lastError).toBeNull();
  });

  it('close gives up after its timeout and says how many events were lost', async () => {
    const warnings: object[] = [];
    const buffer = new UsageBuffer(() => Promise.reject(new Error('down')), options(), { ...quiet, warn: (obj) => void warnings.push(obj) });
    buffer.record(event());
    buffer.record(event());
    await buffer.close(0);
    expect(warnings).toEqual([{ lost: 2 }]);
  });
});
