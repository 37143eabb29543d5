import { describe, it, expect, vi, afterEach } from 'vitest';
import { ManualClock } from '../clock.js';
import { MemoryLimiter, type LimitCheck } from './limiter.js';
import type { LimitRule } from './rules.js';

const T0 = 1_700_000_040_000; // a multiple of 60 s
const perMinute = (limit: number): LimitRule => ({ type: 'sliding_window', limit, windowMs: 60_000 });

const limiters: MemoryLimiter[] = [];
function limiter(clock = new ManualClock(T0), sweepEveryMs?: number): MemoryLimiter {
  const l = new MemoryLimiter(clock, sweepEveryMs);
  limiters.push(l);
  return l;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(limiters.splice(0).map((l) => l.close()));
});

describe('MemoryLimiter', () => {
  it('admits up to the limit of a single check, then refuses', async () => {
    const l = limiter();
    const check: LimitCheck = { key: 'rl:a', rule: perMinute(3) };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await l.consume([check], 1));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.decisions[0]?.remaining)).toEqual([2, 1, 0, 0]);
    expect(results.map((r) => r.failed)).toEqual([-1, -1, -1, 0]);
    expect(results[3]?.decisions[0]?.retryAfterMs).toBeGreaterThan(0);
  });

  it('is all-or-nothing: when a later check refuses, the earlier counters are not spent', async () => {
    const l = limiter();
    const a: LimitCheck = { key: 'rl:a', rule: perMinute(5) };
    const b: LimitCheck = { key: 'q:a', rule: perMinute(1) };
    expect((await l.consume([a, b], 1)).allowed).toBe(true);

    const second = await l.consume([a, b], 1);
    expect(second.allowed).toBe(false);
    expect(second.failed).toBe(1);
    expect(second.decisions).toHaveLength(2);
    expect(second.decisions[0]).toMatchObject({ allowed: true, remaining: 3 });
    expect(second.decisions[1]).toMatchObject({ allowed: false });

    // a was charged once (first call), not twice: 5 - 1 - 1 = 3 after this request.
    const alone = await l.consume([a], 1);
    expect(alone.decisions[0]?.remaining).toBe(3);
  });

  it('reports the first refusing check when several refuse', async () => {
    const l = limiter();
    const checks: LimitCheck[] = [
      { key: 'x', rule: perMinute(10) },
      { key: 'y', rule: perMinute(1) },
      { key: 'z', rule: perMinute(1) },
    ];
    await l.consume(checks, 1);
    const result = await l.consume(checks, 1);
    expect(result.failed).toBe(1);
    expect(result.decisions.map((d) => d.allowed)).toEqual([true, false, false]);
  });

  it('admits everything when there are no checks', async () => {
    const result = await limiter().consume([], 1);
    expect(result).toEqual({ allowed: true, decisions: [], failed: -1 });
  });

  it('admits exactly `limit` of 500 concurrent requests at a limit of 100', async () => {
    const l = limiter();
    const check: LimitCheck = { key: 'rl:hot', rule: perMinute(100) };
    const results = await Promise.all(Array.from({ length: 500 }, () => l.consume([check], 1)));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    const remaining = results.filter((r) => r.allowed).map((r) => r.decisions[0]?.remaining);
    expect(new Set(remaining).size).toBe(100);
    expect(Math.min(...(remaining as number[]))).toBe(0);
  });

  it('spends `cost` units per request', async () => {
    const l = limiter();
    const check: LimitCheck = { key: 'rl:c', rule: perMinute(10) };
    expect((await l.consume([check], 4)).decisions[0]?.remaining).toBe(6);
    expect((await l.consume([check], 7)).allowed).toBe(false);
    expect((await l.consume([check], 6)).decisions[0]?.remaining).toBe(0);
  });

  it('keeps separate counters per key', async () => {
    const l = limiter();
    const rule = perMinute(1);
    expect((await l.consume([{ key: 'one', rule }], 1)).allowed).toBe(true);
    expect((await l.consume([{ key: 'one', rule }], 1)).allowed).toBe(false);
    expect((await l.consume([{ key: 'two', rule }], 1)).allowed).toBe(true);
  });

  it('follows the injected clock', async () => {
    const clock = new ManualClock(T0);
    const l = limiter(clock);
    const check: LimitCheck = { key: 'k', rule: perMinute(2) };
    await l.consume([check], 1);
    await l.consume([check], 1);
    const refused = await l.consume([check], 1);
    expect(refused.allowed).toBe(false);
    clock.advance(refused.decisions[0]?.retryAfterMs ?? Number.NaN);
    expect((await l.consume([check], 1)).allowed).toBe(true);
  });

  it('close() clears every counter and stops the sweeper', async () => {
    vi.useFakeTimers();
    const l = limiter(new ManualClock(T0), 1000);
    expect(vi.getTimerCount()).toBe(1);
    await l.consume([{ key: 'a', rule: perMinute(1) }], 1);
    await l.consume([{ key: 'b', rule: perMinute(1) }], 1);
    expect(l.size).toBe(2);
    await l.close();
    expect(l.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect((await l.consume([{ key: 'a', rule: perMinute(1) }], 1)).allowed).toBe(true);
  });

  it('sweeps counters whose time is up, and keeps the others', async () => {
    vi.useFakeTimers();
    const clock = new ManualClock(T0);
    const l = limiter(clock, 1000);
    await l.consume([{ key: 'short', rule: { type: 'sliding_window', limit: 5, windowMs: 1000 } }], 1); // kept 2 s
    await l.consume([{ key: 'long', rule: perMinute(5) }], 1); // kept 2 min
    expect(l.size).toBe(2);
    clock.advance(2000);
    vi.advanceTimersByTime(1000);
    expect(l.size).toBe(1);
    clock.advance(120_000);
    vi.advanceTimersByTime(1000);
    expect(l.size).toBe(0);
  });

  it('ignores a counter that has outlived its time even before the sweep', async () => {
    const clock = new ManualClock(0);
    const l = limiter(clock);
    const day = { type: 'fixed_window', limit: 1, windowStart: 0, windowEnd: 86_400_000 } as const;
    await l.consume([{ key: 'q', rule: day }], 1);
    expect((await l.consume([{ key: 'q', rule: day }], 1)).allowed).toBe(false);
    clock.set(86_400_000); // the stored entry expired at the window end
    expect((await l.consume([{ key: 'q', rule: day }], 1)).allowed).toBe(true);
  });

  it('consumeSync makes the same decisions synchronously', () => {
    const l = limiter();
    const check: LimitCheck = { key: 's', rule: perMinute(1) };
    expect(l.consumeSync([check], 1).allowed).toBe(true);
    expect(l.consumeSync([check], 1).allowed).toBe(false);
  });
});

describe('MemoryLimiter.refund', () => {
  it('gives back a provisional spend, never below zero', async () => {
    const limiter = new MemoryLimiter(new ManualClock(1_000_000));
    const check = { key: 'k', rule: { type: 'sliding_window' as const, limit: 2, windowMs: 60_000 } };
    expect(limiter.consumeSync([check], 1).decisions[0]?.remaining).toBe(1);
    limiter.refund('k', 1);
    expect(limiter.consumeSync([check], 1).decisions[0]?.remaining).toBe(1);
    limiter.refund('k', 5);
    limiter.refund('missing', 1);
    expect(limiter.consumeSync([check], 2).allowed).toBe(true);
    expect(limiter.consumeSync([check], 1).allowed).toBe(false);
    await limiter.close();
  });
});
