import type { UsageEvent } from '@elyzor/core';
import { describe, expect, it } from 'vitest';
import { UsageBuffer } from './usage-buffer.js';

const quiet = { warn: () => undefined, error: () => undefined };
const event = (n: number): UsageEvent => ({ projectId: 'p', credentialId: `c${n}`, kind: 'key', outcome: 'valid', latencyMs: 0, at: n });

describe('UsageBuffer', () => {
  it('writes every recorded event, in order, in batches of at most batchSize', async () => {
    const batches: UsageEvent[][] = [];
    const buffer = new UsageBuffer(async (events) => void batches.push([...events]), { flushIntervalMs: 60_000, batchSize: 3, maxBuffered: 100 }, quiet);
    for (let i = 0; i < 8; i++) buffer.record(event(i));
    await buffer.close();
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.flat().map((e) => e.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(buffer.written).toBe(8);
    expect(buffer.size).toBe(0);
  });

  it('keeps the events of a failed write and writes them on the next attempt', async () => {
    let fail = true;
    const written: UsageEvent[] = [];
    const buffer = new UsageBuffer(
      async (events) => {
        if (fail) throw new Error('database down');
        written.push(...events);
      },
      { flushIntervalMs: 60_000, batchSize: 10, maxBuffered: 100 },
      quiet,
    );
    for (let i = 0; i < 5; i++) buffer.record(event(i));
    await buffer.flush();
    expect(buffer.size).toBe(5);
    expect(buffer.lastError).toBeInstanceOf(Error);
    fail = false;
    await buffer.flush();
    expect(written.map((e) => e.at)).toEqual([0, 1, 2, 3, 4]);
    expect(buffer.size).toBe(0);
  });

  it('stays bounded while writes fail: the oldest events go first and are counted', async () => {
    const buffer = new UsageBuffer(() => Promise.reject(new Error('down')), { flushIntervalMs: 60_000, batchSize: 10, maxBuffered: 50 }, quiet);
    for (let i = 0; i < 75; i++) buffer.record(event(i));
    await buffer.flush();
    expect(buffer.size).toBeLessThanOrEqual(50);
    expect(buffer.size + buffer.dropped).toBe(75);
    await buffer.close(0);
  });
});
