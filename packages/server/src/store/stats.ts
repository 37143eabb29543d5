import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { toCount, usageRowsSince, type BigCount } from './usage-ranges.js';

export interface ProjectStats {
  totalRequests: number;
  successRate: number;
  topKeys: Array<{ keyId: string; requests: number }>;
  requestsByDay: Array<{ date: string; count: number; errors: number }>;
  rateLimitHits: number;
  avgLatencyMs: number;
}

/**
 * Usage of one project since `since`, aggregated by the database from the usage roll-ups (see
 * `usageRowsSince`). A count is in the range when its minute starts at or after `since`: the
 * verifications of the minute `since` falls in are left out, a granularity of at most one
 * minute at the start of the range. Sums are bigint in SQL and exact numbers up to 2^53.
 */
export async function projectStats(db: Kysely<Schema>, projectId: string, since: Date): Promise<ProjectStats> {
  const rows = usageRowsSince({ projectId }, since);
  // One after the other: a read holds one connection (it may run inside a transaction).
  const totals = await sql<{ total: BigCount; valid: BigCount; limited: BigCount; avg: number | null }>`
      select coalesce(sum(count), 0) as total,
             coalesce(sum(count) filter (where outcome = 'valid'), 0) as valid,
             coalesce(sum(count) filter (where outcome = 'rate_limit_exceeded'), 0) as limited,
             (sum(latency_sum) / nullif(sum(count), 0))::float8 as avg
      from ${rows} u`.execute(db);
  const top = await sql<{ keyId: string; requests: BigCount }>`
      select credential_id as "keyId", sum(count) as requests
      from ${rows} u
      group by credential_id order by requests desc, credential_id limit 10`.execute(db);
  const days = await sql<{ date: string; count: BigCount; errors: BigCount }>`
      select to_char(date_trunc('day', at at time zone 'UTC'), 'YYYY-MM-DD') as date,
             sum(count) as count,
             coalesce(sum(count) filter (where outcome <> 'valid'), 0) as errors
      from ${rows} u
      group by 1 order by 1`.execute(db);
  const row = totals.rows[0];
  const total = toCount(row?.total);
  const avg = row?.avg ?? null;
  return {
    totalRequests: total,
    successRate: total === 0 ? 0 : Math.round((toCount(row?.valid) / total) * 10_000) / 10_000,
    topKeys: top.rows.map((r) => ({ keyId: r.keyId, requests: toCount(r.requests) })),
    requestsByDay: days.rows.map((r) => ({ date: r.date, count: toCount(r.count), errors: toCount(r.errors) })),
    rateLimitHits: toCount(row?.limited),
    avgLatencyMs: avg === null ? 0 : Math.round(avg * 1000) / 1000,
  };
}
