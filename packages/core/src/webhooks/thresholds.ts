import type { LimitDecision } from '../limiter/rules.js';

/** A limit whose use is announced: a quota (per period) or a credit balance (per refill or top-up). */
export type Meter = 'quota' | 'credits';

/**
 * The thresholds `usage.quota_threshold` announces that a limiter answer has reached: a quota at
 * 80 and 100 % used, credits at 20 and 0 % left of their initial (or refill) amount. Pure: the
 * caller makes each one once per period (the limiter's `resetAt`) and amount.
 */
export function reachedThresholds(meter: Meter, decision: Pick<LimitDecision, 'limit' | 'remaining'>): number[] {
  const { limit, remaining } = decision;
  if (!(limit > 0)) return [];
  const reached: number[] = [];
  if (meter === 'quota') {
    // used ≥ 80 %, in integers: 5·used ≥ 4·limit.
    if (5 * (limit - remaining) >= 4 * limit) reached.push(80);
    if (remaining <= 0) reached.push(100);
  } else {
    if (5 * remaining <= limit) reached.push(20);
    if (remaining <= 0) reached.push(0);
  }
  return reached;
}
