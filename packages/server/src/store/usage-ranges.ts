import { sql, type RawBuilder } from 'kysely';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Where a range that starts at `since` and runs to now is read from: its minutes before the
 * first whole hour from `usage_counts`, its hours before the first whole day from
 * `usage_hourly`, and every day from there on from `usage_daily`. The three parts do not
 * overlap and cover exactly the minute rows that start at or after `since`, so the sums are
 * those of the minute rows (at most 60 + 23 + one per day per credential and outcome are read).
 * Hours and days are UTC; epoch milliseconds are aligned to both.
 */
export interface UsageSplit {
  minutesFrom: Date;
  hoursFrom: Date;
  daysFrom: Date;
}

export function splitSince(since: Date): UsageSplit {
  const hoursFrom = Math.ceil(since.getTime() / HOUR_MS) * HOUR_MS;
  const daysFrom = Math.ceil(hoursFrom / DAY_MS) * DAY_MS;
  return { minutesFrom: since, hoursFrom: new Date(hoursFrom), daysFrom: new Date(daysFrom) };
}

/** Which rows a read is about: one project's, or one credential's. */
export type UsageOwner = { projectId: string } | { credentialId: string };

/**
 * The usage rows of `owner` from `since` on (all of them when `since` is null), as a subquery
 * with the columns `credential_id, outcome, at, count, latency_sum`: `at` is the start of the
 * row's minute, hour or day, `count` a bigint.
 */
export function usageRowsSince(owner: UsageOwner, since: Date | null): RawBuilder<unknown> {
  const column = 'projectId' in owner ? sql.ref('project_id') : sql.ref('credential_id');
  const id = 'projectId' in owner ? owner.projectId : owner.credentialId;
  if (since === null) {
    return sql`(select credential_id, outcome, day as at, count, latency_sum from usage_daily where ${column} = ${id})`;
  }
  const { minutesFrom, hoursFrom, daysFrom } = splitSince(since);
  return sql`(
    select credential_id, outcome, minute as at, count::bigint as count, latency_sum from usage_counts
      where ${column} = ${id} and minute >= ${minutesFrom} and minute < ${hoursFrom}
    union all
    select credential_id, outcome, hour, count, latency_sum from usage_hourly
      where ${column} = ${id} and hour >= ${hoursFrom} and hour < ${daysFrom}
    union all
    select credential_id, outcome, day, count, latency_sum from usage_daily
      where ${column} = ${id} and day >= ${daysFrom}
  )`;
}

/** A bigint as the drivers return it: node-postgres as a string, PGlite possibly as a BigInt. */
export type BigCount = string | number | bigint;

/**
 * A bigint sum as a JS number. The drivers return bigint as a string (or a BigInt); counts are
 * exact up to 2^53 (9 × 10^15 verifications: 28,000 years at 10,000 a second), beyond which
 * the number is the nearest double, which is what JSON would carry anyway.
 */
export function toCount(value: BigCount | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
