import { describe, expect, it } from 'vitest';
import { P99_RULE, p99Flatness } from './p99-flatness.mjs';

/** [atSeconds, p99 ms] → the soak's interval rows. */
const rows = (pairs) => pairs.map(([atSeconds, p99]) => ({ atSeconds, p99 }));

// The 5-minute embedded soak of 2026-11-30, before the usage roll-ups: p99 from 84 ms to
// 376–455 ms while throughput fell from about 400 to 130 verifications a second.
const regression = rows([
  [15, 84.27], [30, 89.51], [45, 77.03], [60, 97.95], [75, 124.55], [90, 157.12], [105, 168.1], [120, 157.33], [135, 187.17], [150, 268.14],
  [165, 227.24], [180, 210.9], [195, 258.51], [210, 249.72], [225, 315.1], [240, 258.02], [255, 281.88], [270, 320.75], [285, 454.74], [300, 375.76],
]);

// The 3-minute embedded soak of 2026-12-01 (bench/results/soak-latest.json at the time), on the
// shared 2-core machine: flat, with one interval at 73 ms.
const healthy = rows([
  [9, 66], [18, 33.03], [27, 11.46], [36, 15.64], [45, 12.11], [54, 14.36], [63, 32.2], [72, 25.04], [81, 26.68], [90, 28.59],
  [99, 29.35], [108, 21.66], [117, 22.34], [126, 27.24], [135, 27.57], [144, 72.93], [153, 42.09], [162, 48.51], [171, 41.24], [180, 32.55],
]);

describe('p99Flatness', () => {
  it('fails the old regression (p99 84 → 376–455 ms over 5 minutes)', () => {
    const result = p99Flatness(regression);
    expect(result.pass).toBe(false);
    expect(result.warmupUntilSeconds).toBe(30);
    expect(result.baseline).toEqual({ fromSeconds: 45, toSeconds: 75, p99Ms: [77.03, 97.95, 124.55], medianMs: 97.95 });
    expect(result.boundMs).toBe(195.9);
    expect(result.lastThird).toMatchObject({ fromSeconds: 210, toSeconds: 300, medianMs: 315.1, worstMs: 454.74 });
    expect(result.reason).toBe("the last third's median p99 315.1 ms is above the bound 195.9 ms");
  });

  it('passes a healthy run on a loaded 2-core machine, its one 73 ms interval included', () => {
    const result = p99Flatness(healthy);
    expect(result.reason).toBeNull();
    expect(result.pass).toBe(true);
    expect(result.warmupUntilSeconds).toBe(27);
    expect(result.baseline).toMatchObject({ fromSeconds: 36, toSeconds: 54, medianMs: 14.36 });
    // 2 × 14.36 would be 28.72 ms: the 50 ms of slack decide on a baseline this low.
    expect(result.boundMs).toBe(64.36);
    expect(result.lastThird).toMatchObject({ fromSeconds: 126, toSeconds: 180, medianMs: 41.24, worstMs: 72.93 });
  });

  it('fails a healthy-looking run whose last third keeps rising past the bound', () => {
    const rising = healthy.map((row) => (row.atSeconds > 120 ? { ...row, p99: row.p99 + 40 } : row));
    const result = p99Flatness(rising);
    expect(result.pass).toBe(false);
    expect(result.lastThird?.medianMs).toBe(81.24);
  });

  it('passes a last third exactly at the bound, and fails it just above', () => {
    const flat = rows(Array.from({ length: 20 }, (_, i) => [(i + 1) * 15, 10]));
    const at = flat.map((row) => (row.atSeconds > 200 ? { ...row, p99: 60 } : row));
    expect(p99Flatness(at)).toMatchObject({ pass: true, boundMs: 60 });
    const above = flat.map((row) => (row.atSeconds > 200 ? { ...row, p99: 60.01 } : row));
    expect(p99Flatness(above).pass).toBe(false);
  });

  it('uses the factor when the baseline is high: 2 × 100 ms, not 100 + 50 ms', () => {
    const run = rows(Array.from({ length: 20 }, (_, i) => [(i + 1) * 15, (i + 1) * 15 > 200 ? 190 : 100]));
    expect(p99Flatness(run)).toMatchObject({ pass: true, boundMs: 200 });
  });

  it('fails an interval without any answered verification, even when the median hides it', () => {
    const stalled = healthy.map((row) => (row.atSeconds === 153 ? { ...row, p99: null } : row));
    const result = p99Flatness(stalled);
    expect(result.pass).toBe(false);
    expect(result.stalledAtSeconds).toEqual([153]);
    expect(result.lastThird?.p99Ms).toContain(null);
    expect(result.reason).toMatch(/no verification answered .* 153 s/);
  });

  it('does not count the warm-up, however slow it was', () => {
    const slowStart = healthy.map((row) => (row.atSeconds <= 27 ? { ...row, p99: 900 } : row));
    expect(p99Flatness(slowStart).pass).toBe(true);
  });

  it('fails a run too short to have a baseline and a last third after it', () => {
    const short = rows([[5, 10], [10, 10], [15, 10], [20, 10], [25, 10], [30, 10], [35, 10], [40, 10]]);
    const result = p99Flatness(short);
    expect(result.pass).toBe(false);
    expect(result.reason).toMatch(/too few intervals \(8\)/);
    expect(p99Flatness([]).pass).toBe(false);
  });

  it('decides a one-minute run (5-second intervals)', () => {
    const minute = rows(Array.from({ length: 12 }, (_, i) => [(i + 1) * 5, 12]));
    const result = p99Flatness(minute);
    expect(result).toMatchObject({ pass: true, warmupUntilSeconds: 30, baseline: { fromSeconds: 35, toSeconds: 45 }, lastThird: { fromSeconds: 50, toSeconds: 60 } });
  });

  it('holds the figures docs/performance.md describes', () => {
    expect(P99_RULE).toEqual({ warmupSeconds: 30, baselineIntervals: 3, factor: 2, slackMs: 50 });
  });
});
