/**
 * The soak's p99 flatness rule: does the verification p99 stay flat over a run? Decided purely
 * from the soak's per-interval rows (`{ atSeconds, p99 }`, p99 in ms, null for an interval in
 * which no verification was answered), so that a unit test can feed it recorded runs.
 *
 * The rule, in order:
 *   1. Warm-up: the intervals that end within the first 30 s (at least the first one) are left
 *      out. The first seconds pay for the JIT, the first cache misses and the first connections;
 *      the recorded healthy run's first interval had p99 66 ms, the next ones 11–16 ms.
 *   2. Baseline: the median p99 of the next 3 intervals (the run's early level). Right after the
 *      warm-up on purpose: the regression this rule must catch crept in from the first minute
 *      (84 → 98 → 125 → 157 ms at 15 s a step), and a wider early window would carry it into the
 *      baseline and excuse it.
 *   3. Late level: the median p99 of the intervals in the last third of the run (those that end
 *      after two thirds of the last interval's time, and after the baseline). A median, not the
 *      worst interval: on a shared 2-core machine a single interval's p99 jumps for reasons of the
 *      neighbours (the healthy run had one interval at 73 ms between intervals of 27–48 ms);
 *      what the soak must rule out is a level that keeps rising, and that moves the median.
 *   4. Pass when late ≤ max(2 × baseline, baseline + 50 ms), and no interval after the warm-up
 *      went without an answered verification (a stall; the median alone could hide one).
 *      The factor is what counts when the baseline is high; the 50 ms of slack keep the noise of
 *      a loaded machine from failing a run whose baseline is a few milliseconds (2 × 14 ms would
 *      be a 28 ms bound, under the 41 ms median of the healthy run's last third on that machine).
 *
 * Checked against the recorded runs (bench/lib/p99-flatness.test.mjs): the 5-minute run before
 * the usage roll-ups (p99 84 → 376–455 ms) has baseline 98 ms, bound 196 ms, last third 315 ms:
 * fail, 1.6× over. The 3-minute healthy run has baseline 14 ms, bound 64 ms, last third 41 ms:
 * pass, 1.6× under.
 *
 * A run too short to hold a warm-up, a baseline and a last third after it (under about 50 s)
 * cannot show flatness, and fails with a reason.
 */

export const P99_RULE = Object.freeze({ warmupSeconds: 30, baselineIntervals: 3, factor: 2, slackMs: 50 });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounded to 0.01 ms for the report; an infinite figure (an interval without answers) is null. */
const ms = (value) => (Number.isFinite(value) ? Math.round(value * 100) / 100 : null);

/**
 * Decides the rule for a run's intervals. Returns the figures the soak prints and stores:
 * `{ pass, reason, rule, warmupUntilSeconds, baseline: { fromSeconds, toSeconds, p99Ms, medianMs },
 * lastThird: { fromSeconds, toSeconds, p99Ms, medianMs, worstMs }, boundMs, stalledAtSeconds }`.
 */
export function p99Flatness(intervals, rule = P99_RULE) {
  const { warmupSeconds, baselineIntervals, factor, slackMs } = rule;
  const described = `last third's median p99 ≤ max(${factor} × baseline, baseline + ${slackMs} ms); baseline: median p99 of the ${baselineIntervals} intervals after a ${warmupSeconds} s warm-up`;
  const p99Of = (row) => (typeof row.p99 === 'number' && Number.isFinite(row.p99) ? row.p99 : Infinity);

  const warmup = Math.max(1, intervals.filter((row) => row.atSeconds <= warmupSeconds).length);
  const baselineRows = intervals.slice(warmup, warmup + baselineIntervals);
  const lastThirdFrom = ((intervals.at(-1)?.atSeconds ?? 0) * 2) / 3;
  const lateRows = intervals.slice(warmup + baselineIntervals).filter((row) => row.atSeconds > lastThirdFrom);
  const result = {
    pass: false,
    reason: null,
    rule: described,
    warmupUntilSeconds: intervals[warmup - 1]?.atSeconds ?? null,
    baseline: null,
    lastThird: null,
    boundMs: null,
    stalledAtSeconds: intervals.slice(warmup).filter((row) => p99Of(row) === Infinity).map((row) => row.atSeconds),
  };
  if (baselineRows.length < baselineIntervals || lateRows.length === 0) {
    result.reason = `too few intervals (${intervals.length}) for a warm-up, ${baselineIntervals} baseline intervals and a last third after them: run longer`;
    return result;
  }

  const baseline = median(baselineRows.map(p99Of));
  const late = lateRows.map(p99Of);
  const lateMedian = median(late);
  const bound = Math.max(factor * baseline, baseline + slackMs);
  result.baseline = { fromSeconds: baselineRows[0].atSeconds, toSeconds: baselineRows.at(-1).atSeconds, p99Ms: baselineRows.map((row) => ms(p99Of(row))), medianMs: ms(baseline) };
  result.lastThird = { fromSeconds: lateRows[0].atSeconds, toSeconds: lateRows.at(-1).atSeconds, p99Ms: late.map(ms), medianMs: ms(lateMedian), worstMs: ms(Math.max(...late)) };
  result.boundMs = ms(bound);

  if (result.stalledAtSeconds.length > 0) result.reason = `no verification answered in the interval(s) ending at ${result.stalledAtSeconds.join(', ')} s`;
  else if (!(lateMedian <= bound)) result.reason = `the last third's median p99 ${ms(lateMedian)} ms is above the bound ${ms(bound)} ms`;
  result.pass = result.reason === null;
  return result;
}
