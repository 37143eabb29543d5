import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  applyRule,
  fixedWindow,
  slidingWindow,
  tokenBucket,
  type FixedWindowRule,
  type LimitRule,
  type LimitState,
  type RuleOutcome,
  type SlidingWindowRule,
  type TokenBucketRule,
} from './rules.js';

/** Feeds requests through a rule the way a limiter does: the next state is kept only when admitted. */
class Driver {
  state: LimitState | undefined;
  constructor(readonly rule: LimitRule) {}
  hit(now: number, cost = 1): RuleOutcome {
    const outcome = applyRule(this.state, this.rule, now, cost);
    if (outcome.decision.allowed) this.state = outcome.next;
    return outcome;
  }
}

const sliding = (limit: number, windowMs: number): SlidingWindowRule => ({ type: 'sliding_window', limit, windowMs });
const bucket = (limit: number, windowMs: number, burst: number): TokenBucketRule => ({ type: 'token_bucket', limit, windowMs, burst });
const fixed = (limit: number, windowStart: number, windowEnd: number): FixedWindowRule => ({
  type: 'fixed_window',
  limit,
  windowStart,
  windowEnd,
});

describe('slidingWindow', () => {
  const W = 60_000;
  const T0 = 1_000 * W; // a window boundary

  it('on a fresh state allows exactly `limit` requests, with remaining counting down limit-1..0', () => {
    const d = new Driver(sliding(5, W));
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { decision } = d.hit(T0 + 10);
      expect(decision.allowed).toBe(true);
      expect(decision.limit).toBe(5);
      expect(decision.retryAfterMs).toBe(0);
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const refused = d.hit(T0 + 10).decision;
    expect(refused.allowed).toBe(false);
    expect(refused.remaining).toBe(0);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it('refuses with a retryAfterMs that is positive and at most one window plus one request interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 100_000 }), fc.nat(), (limit, windowMs, offsetSeed) => {
        const start = 7 * windowMs + (offsetSeed % windowMs);
        const d = new Driver(sliding(limit, windowMs));
        for (let i = 0; i < limit; i++) expect(d.hit(start).decision.allowed).toBe(true);
        const { decision } = d.hit(start);
        expect(decision.allowed).toBe(false);
        expect(decision.retryAfterMs).toBeGreaterThan(0);
        expect(decision.retryAfterMs).toBeLessThanOrEqual(8 * windowMs - start + Math.ceil(windowMs / limit));
      }),
    );
  });

  it('a refused request of the same cost succeeds after exactly retryAfterMs, and not 1 ms earlier', () => {
    // 10 requests at the start of a window fill it; they still count in full at the next
    // boundary, so the wait is the rest of the window plus the time for one of them to age out.
    const d = new Driver(sliding(10, 1000));
    for (let i = 0; i < 10; i++) d.hit(5000);
    const refused = d.hit(5000).decision;
    expect(refused.retryAfterMs).toBe(1100);
    expect(d.hit(5000 + refused.retryAfterMs - 1).decision.allowed).toBe(false);
    expect(d.hit(5000 + refused.retryAfterMs).decision.allowed).toBe(true);
  });

  it('retryAfterMs is exact for any history (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.tuple(fc.nat({ max: 3000 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 80 }),
        (limit, windowMs, steps) => {
          const d = new Driver(sliding(limit, windowMs));
          let now = 3 * windowMs;
          for (const [gap, rawCost] of steps) {
            now += gap;
            const cost = Math.min(rawCost, limit);
            const before = d.state;
            const { decision } = d.hit(now, cost);
            if (decision.allowed) continue;
            expect(decision.retryAfterMs).toBeGreaterThan(0);
            expect(decision.retryAfterMs).toBeLessThanOrEqual(2 * windowMs);
            expect(slidingWindow(before, d.rule as SlidingWindowRule, now + decision.retryAfterMs, cost).decision.allowed).toBe(true);
            expect(slidingWindow(before, d.rule as SlidingWindowRule, now + decision.retryAfterMs - 1, cost).decision.allowed).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("carries the previous window's count, weighted by the remaining overlap and rounded up", () => {
    const rule = sliding(10, 1000);
    const previousWindowFull: LimitState = [4000, 10, 0]; // 10 requests in [4000, 5000)
    // At the boundary the previous window counts in full.
    expect(slidingWindow(previousWindowFull, rule, 5000, 1).decision.allowed).toBe(false);
    // 36% into the window: 10 * 0.64 = 6.4 carried, rounded up to 7 (round or floor would give 6).
    const at360 = slidingWindow(previousWindowFull, rule, 5360, 1);
    expect(at360.decision.allowed).toBe(true);
    expect(at360.decision.remaining).toBe(2);
    expect(at360.next).toEqual([5000, 1, 10]);
    // 95% in: 0.5 carried, rounded up to 1.
    expect(slidingWindow(previousWindowFull, rule, 5950, 1).decision.remaining).toBe(8);
    // The last millisecond of the window: 10 * 0.001 = 0.01, still 1.
    expect(slidingWindow(previousWindowFull, rule, 5999, 1).decision.remaining).toBe(8);
    // Two windows later, nothing is carried.
    expect(slidingWindow(previousWindowFull, rule, 6000, 1).decision.remaining).toBe(9);
  });

  it('with state from the same window keeps both counts', () => {
    const { decision, next } = slidingWindow([5000, 3, 4], sliding(10, 1000), 5500, 1);
    // carried ceil(4 * 0.5) = 2, current 3, this request 1
    expect(decision.remaining).toBe(4);
    expect(next).toEqual([5000, 4, 4]);
  });

  it('ignores a state older than the previous window', () => {
    const { decision, next } = slidingWindow([1000, 10, 10], sliding(10, 1000), 5500, 1);
    expect(decision.allowed).toBe(true);
    expect(decision.remaining).toBe(9);
    expect(next).toEqual([5000, 1, 0]);
  });

  it('admits requests again as the previous window ages out, one per window/limit', () => {
    const d = new Driver(sliding(4, 1000));
    for (let i = 0; i < 4; i++) expect(d.hit(1999).decision.allowed).toBe(true);
    expect(d.hit(2000).decision.allowed).toBe(false); // carried 4
    expect(d.hit(2249).decision.allowed).toBe(false); // ceil(4 * 0.751) = 4
    expect(d.hit(2250).decision.allowed).toBe(true); // ceil(4 * 0.75) = 3
    expect(d.hit(2250).decision.allowed).toBe(false);
    expect(d.hit(2500).decision.allowed).toBe(true); // 2 carried + 1 current
    expect(d.hit(2500).decision.allowed).toBe(false);
  });

  it('never admits more than `limit` in total to a burst spanning a window boundary (property over offsets)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 2, max: 100_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.nat(),
        fc.nat(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 150 }),
        (limit, windowMs, boundaryIndex, beforeSeed, afterSeed, positions) => {
          const boundary = boundaryIndex * windowMs;
          // The burst starts anywhere in the previous window and ends before the first carried
          // request has aged out of the new one (windowMs / limit after the boundary).
          const before = 1 + (beforeSeed % windowMs);
          const after = afterSeed % Math.ceil(windowMs / limit);
          const start = boundary - before;
          const span = before + after;
          const times = positions.map((p) => start + Math.floor(p * span)).sort((a, b) => a - b);
          const d = new Driver(sliding(limit, windowMs));
          let admitted = 0;
          for (const t of times) if (d.hit(t).decision.allowed) admitted++;
          expect(admitted).toBe(Math.min(limit, times.length));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('charges the cost: cost > 1 spends several units at once', () => {
    const d = new Driver(sliding(10, 1000));
    expect(d.hit(0, 3).decision.remaining).toBe(7);
    expect(d.hit(0, 3).decision.remaining).toBe(4);
    expect(d.hit(0, 3).decision.remaining).toBe(1);
    const refused = d.hit(0, 3).decision;
    expect(refused.allowed).toBe(false);
    expect(refused.remaining).toBe(1);
    expect(d.hit(0, 1).decision).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('admits a cost equal to the limit on a fresh state and never a cost above it', () => {
    expect(slidingWindow(undefined, sliding(10, 1000), 0, 10).decision).toMatchObject({ allowed: true, remaining: 0 });
    const over = slidingWindow(undefined, sliding(10, 1000), 0, 11).decision;
    expect(over.allowed).toBe(false);
    expect(over.remaining).toBe(10);
    expect(over.retryAfterMs).toBeGreaterThan(0);
  });

  it('does not change the state on a refusal', () => {
    const state: LimitState = [5000, 10, 3];
    expect(slidingWindow(state, sliding(10, 1000), 5100, 1).next).toEqual(state);
  });

  it('keeps the state for two windows', () => {
    expect(slidingWindow(undefined, sliding(10, 1000), 0, 1).ttlMs).toBe(2000);
  });

  it('resetAt is when everything counted so far has aged out (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.tuple(fc.nat({ max: 3000 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 60 }),
        (limit, windowMs, steps) => {
          const rule = sliding(limit, windowMs);
          const d = new Driver(rule);
          let now = 2 * windowMs;
          for (const [gap, cost] of steps) {
            now += gap;
            const { decision } = d.hit(now, cost);
            expect(decision.resetAt).toBeGreaterThanOrEqual(now);
            // At resetAt nothing is counted any more; 1 ms earlier something still is.
            expect(slidingWindow(d.state, rule, decision.resetAt, 0).decision.remaining).toBe(limit);
            if (decision.resetAt > now) {
              expect(slidingWindow(d.state, rule, decision.resetAt - 1, 0).decision.remaining).toBeLessThan(limit);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never reports a negative remaining and always reports its limit (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.nat({ max: 500 }), fc.integer({ min: 1, max: 30 })), { maxLength: 60 }),
        (limit, steps) => {
          const d = new Driver(sliding(limit, 1000));
          let now = 0;
          for (const [gap, cost] of steps) {
            now += gap;
            const { decision } = d.hit(now, cost);
            expect(decision.remaining).toBeGreaterThanOrEqual(0);
            expect(decision.remaining).toBeLessThanOrEqual(limit);
            expect(decision.limit).toBe(limit);
            if (decision.allowed) expect(decision.retryAfterMs).toBe(0);
          }
        },
      ),
    );
  });
});

describe('tokenBucket', () => {
  // 10 tokens per second = one every 100 ms, up to 5 at once.
  const rule = bucket(10, 1000, 5);

  it('allows a burst of `burst` at once, then refuses with the time to refill one token', () => {
    const d = new Driver(rule);
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { decision } = d.hit(1000);
      expect(decision.allowed).toBe(true);
      expect(decision.limit).toBe(5);
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const refused = d.hit(1000).decision;
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 100 });
    expect(d.hit(1099).decision.allowed).toBe(false);
    expect(d.hit(1100).decision.allowed).toBe(true);
    expect(d.hit(1100).decision.allowed).toBe(false);
  });

  it('refills at `limit` per window', () => {
    const d = new Driver(rule);
    for (let i = 0; i < 5; i++) d.hit(0);
    // 250 ms: 2.5 tokens
    expect(d.hit(250).decision).toMatchObject({ allowed: true, remaining: 1 });
    expect(d.hit(250).decision).toMatchObject({ allowed: true, remaining: 0 });
    // 0.5 left, 0.5 missing: 50 ms
    expect(d.hit(250).decision).toMatchObject({ allowed: false, retryAfterMs: 50 });
  });

  it('sets retryAfterMs to the time needed to refill the cost', () => {
    const d = new Driver(rule);
    for (let i = 0; i < 5; i++) d.hit(0);
    expect(d.hit(0, 3).decision.retryAfterMs).toBe(300);
    expect(d.hit(120, 3).decision.retryAfterMs).toBe(180);
    expect(d.hit(300, 3).decision.allowed).toBe(true);
  });

  it('caps the bucket at `burst` however long it was idle', () => {
    const d = new Driver(rule);
    d.hit(0);
    let allowed = 0;
    for (let i = 0; i < 20; i++) if (d.hit(10_000_000).decision.allowed) allowed++;
    expect(allowed).toBe(5);
  });

  it('supports a burst larger than the refill rate', () => {
    const d = new Driver(bucket(1, 1000, 20));
    let allowed = 0;
    for (let i = 0; i < 30; i++) if (d.hit(0).decision.allowed) allowed++;
    expect(allowed).toBe(20);
    expect(d.hit(0).decision.retryAfterMs).toBe(1000);
  });

  it('refuses a cost larger than the bucket', () => {
    expect(tokenBucket(undefined, rule, 0, 6).decision.allowed).toBe(false);
    expect(tokenBucket(undefined, rule, 0, 5).decision.allowed).toBe(true);
  });

  it('reports resetAt as the time the bucket is full again', () => {
    const d = new Driver(rule);
    expect(d.hit(0).decision.resetAt).toBe(100);
    expect(d.hit(0, 2).decision.resetAt).toBe(300);
  });

  it('retryAfterMs is exact for any history (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.nat({ max: 5000 }), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 60 }),
        (limit, windowMs, burst, steps) => {
          const r = bucket(limit, windowMs, burst);
          const d = new Driver(r);
          let now = 0;
          for (const [gap, rawCost] of steps) {
            now += gap;
            const cost = Math.min(rawCost, burst);
            const before = d.state;
            const { decision } = d.hit(now, cost);
            if (decision.allowed) continue;
            expect(decision.retryAfterMs).toBeGreaterThan(0);
            expect(tokenBucket(before, r, now + decision.retryAfterMs, cost).decision.allowed).toBe(true);
            expect(tokenBucket(before, r, now + decision.retryAfterMs - 1, cost).decision.allowed).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never admits more than burst + refill over any run (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.nat({ max: 200 }), { minLength: 1, maxLength: 200 }),
        (limit, burst, gaps) => {
          const d = new Driver(bucket(limit, 1000, burst));
          let now = 0;
          let admitted = 0;
          for (const gap of gaps) {
            now += gap;
            if (d.hit(now).decision.allowed) admitted++;
          }
          expect(admitted).toBeLessThanOrEqual(burst + Math.floor((now * limit) / 1000));
        },
      ),
    );
  });
});

describe('fixedWindow', () => {
  const DAY = 86_400_000;
  const start = 20_000 * DAY;
  const rule = fixed(3, start, start + DAY);

  it('allows `limit` in the window, then refuses until windowEnd', () => {
    const d = new Driver(rule);
    expect(d.hit(start).decision).toMatchObject({ allowed: true, remaining: 2, resetAt: start + DAY, retryAfterMs: 0 });
    expect(d.hit(start + 1000).decision.remaining).toBe(1);
    expect(d.hit(start + 2000).decision.remaining).toBe(0);
    const refused = d.hit(start + 10_000).decision;
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetAt: start + DAY, retryAfterMs: DAY - 10_000 });
    expect(d.hit(start + DAY - 1).decision.allowed).toBe(false);
  });

  it('resets when the window moves on (state from another window is ignored)', () => {
    const d = new Driver(rule);
    for (let i = 0; i < 3; i++) d.hit(start);
    expect(d.hit(start).decision.allowed).toBe(false);
    const nextDay = fixed(3, start + DAY, start + 2 * DAY);
    const { decision, next } = fixedWindow(d.state, nextDay, start + DAY, 1);
    expect(decision).toMatchObject({ allowed: true, remaining: 2, resetAt: start + 2 * DAY });
    expect(next).toEqual([start + DAY, 1, 0]);
  });

  it('charges the cost and refuses a cost that does not fit', () => {
    const d = new Driver(fixed(10, 0, 1000));
    expect(d.hit(0, 7).decision.remaining).toBe(3);
    expect(d.hit(0, 4).decision).toMatchObject({ allowed: false, remaining: 3 });
    expect(d.hit(0, 3).decision).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps the state until the end of the window, at least one second', () => {
    expect(fixedWindow(undefined, rule, start + 1000, 1).ttlMs).toBe(DAY - 1000);
    expect(fixedWindow(undefined, rule, start + DAY - 10, 1).ttlMs).toBe(1000);
  });
});

describe('applyRule', () => {
  it('dispatches on the rule type', () => {
    const state: LimitState = [0, 2, 0];
    const s = sliding(3, 1000);
    const b = bucket(3, 1000, 3);
    const f = fixed(3, 0, 1000);
    expect(applyRule(state, s, 500, 1)).toEqual(slidingWindow(state, s, 500, 1));
    expect(applyRule(state, b, 500, 1)).toEqual(tokenBucket(state, b, 500, 1));
    expect(applyRule(state, f, 500, 1)).toEqual(fixedWindow(state, f, 500, 1));
    // The three really differ on this input, so the dispatch is observable.
    expect(applyRule(state, s, 500, 1)).not.toEqual(applyRule(state, f, 500, 1));
    expect(applyRule(state, b, 500, 1)).not.toEqual(applyRule(state, f, 500, 1));
  });
});
