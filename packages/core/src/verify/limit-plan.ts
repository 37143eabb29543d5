import { creditsCounter, quotaCounter, rateLimitCounter } from '../limiter/limit-keys.js';
import type { LimitCheck } from '../limiter/limiter.js';
import type { LimitRule } from '../limiter/rules.js';
import type { CreditsPolicy, CredentialRecord, QuotaPolicy } from './record.js';

interface Window {
  windowStart: number;
  windowEnd: number;
}

const DAY_MS = 86_400_000;

/** The calendar periods a quota can count in (UTC). The service's quotas are per day or month; the NestJS module's may be per year too. */
export type QuotaPeriodName = 'day' | 'month' | 'year';

function calendarPeriod(period: QuotaPeriodName, now: number): Window {
  const date = new Date(now);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  if (period === 'year') return { windowStart: Date.UTC(y, 0, 1), windowEnd: Date.UTC(y + 1, 0, 1) };
  if (period === 'day') {
    const windowStart = Date.UTC(y, m, date.getUTCDate());
    return { windowStart, windowEnd: windowStart + DAY_MS };
  }
  return { windowStart: Date.UTC(y, m, 1), windowEnd: Date.UTC(y, m + 1, 1) };
}

/** The calendar period (UTC) a quota counts in. */
export function quotaWindow(quota: Pick<QuotaPolicy, 'limit'> & { period: QuotaPeriodName }, now: number): Window {
  return calendarPeriod(quota.period, now);
}

/** A balance without refill never resets; this stands for "never". */
const NEVER_MS = 100 * 365 * DAY_MS;

/**
 * Credits as a fixed window: the balance set at `setAt` lasts until the first refill (or
 * forever); each later period starts again at the refill amount.
 */
export function creditsWindow(credits: CreditsPolicy, now: number): Window & { limit: number } {
  if (credits.refill === null) return { windowStart: credits.setAt, windowEnd: credits.setAt + NEVER_MS, limit: credits.remaining };
  const period = calendarPeriod(credits.refill.interval, now);
  if (credits.setAt >= period.windowStart) return { windowStart: credits.setAt, windowEnd: period.windowEnd, limit: credits.remaining };
  return { ...period, limit: credits.refill.amount };
}

/**
 * What a credential's verifications spend, worked out once per record rather than once per
 * request: the counter names, the rules and the list of checks handed to the limiter. The
 * limiter only reads checks, so one list serves every request. A quota's or a credit balance's
 * window depends on the UTC day only (a month is made of whole days), so their checks are
 * rebuilt when the day changes and at no other time.
 */
export class LimitPlan {
  /** Where each kind of limit sits among `checks`' decisions, or -1. */
  readonly rateIndex: number;
  readonly quotaIndex: number;
  readonly creditsIndex: number;
  private readonly rate: LimitCheck | null;
  private checks: readonly LimitCheck[];
  /** Built on the first refusal only: most credentials are never refused. */
  private probeChecks: readonly LimitCheck[] | null = null;
  /** The UTC day `checks` were built for; NaN when they do not depend on the day. */
  private day = Number.NaN;

  /** `rateRule` may be shared between plans (the default rule is one object): it is only read. */
  constructor(
    private readonly record: CredentialRecord,
    rateRule: LimitRule | null,
  ) {
    this.rate = rateRule === null ? null : { key: rateLimitCounter(record.limitKey), rule: rateRule };
    let next = 0;
    this.rateIndex = rateRule === null ? -1 : next++;
    this.quotaIndex = record.quota === null ? -1 : next++;
    this.creditsIndex = record.credits === null ? -1 : next++;
    this.checks = this.rate === null ? [] : [this.rate];
  }

  /** The rate-limit check alone, spending nothing (the probe of a refused verification); null without a rate limit. */
  probe(): readonly LimitCheck[] | null {
    if (this.rate === null) return null;
    this.probeChecks ??= [{ key: this.rate.key, rule: this.rate.rule, cost: 0 }];
    return this.probeChecks;
  }

  /** The checks a verification at `now` spends, in the order rate limit, quota, credits. */
  checksAt(now: number): readonly LimitCheck[] {
    const { record } = this;
    if (record.quota === null && record.credits === null) return this.checks;
    const day = Math.floor(now / DAY_MS);
    if (day === this.day) return this.checks;
    const checks: LimitCheck[] = this.rate === null ? [] : [this.rate];
    if (record.quota !== null) {
      checks.push({ key: quotaCounter(record.limitKey), rule: { type: 'fixed_window', limit: record.quota.limit, ...quotaWindow(record.quota, now) } });
    }
    if (record.credits !== null) {
      // The key changes when the balance is set again, so a top-up starts a fresh count.
      checks.push({ key: creditsCounter(record.limitKey, record.credits.setAt), rule: { type: 'fixed_window', ...creditsWindow(record.credits, now) } });
    }
    this.checks = checks;
    this.day = day;
    return checks;
  }
}
