import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface ProjectStats {
  totalRequests: number;
  successRate: number;
  topKeys: Array<{ keyId: string; requests: number }>;
  requestsByDay: Array<{ date: string; count: number; errors: number }>;
  rateLimitHits: number;
  avgLatencyMs: number;
}

/**
 * Usage of one project since `since`, aggregated by the database from the per-minute counts.
 * A count is in the range when its minute starts at or after `since`: the verifications of the
 * minute `since` falls in are left out, a granularity of at most one minute at the start of the
 * range.
 */
export async function projectStats(db: Kysely<Schema>, projectId: string, since: Date): Promise<ProjectStats> {
  const [totals, top, days] = await Promise.all([
    sql<{ total: number; valid: number; limited: number; avg: number | null }>`
      select coalesce(sum(count), 0)::int as total,
             coalesce(sum(count) filter (where outcome = 'valid'), 0)::int as valid,
             coalesce(sum(count) filter (where outcome = 'rate_limit_exceeded'), 0)::int as limited,
             (sum(latency_sum) / nullif(sum(count), 0))::float8 as avg
      from usage_counts where project_id = ${projectId} and minute >= ${since}`.execute(db),
    sql<{ keyId: string; requests: number }>`
      select credential_id as "keyId", sum(count)::int as requests
      from usage_counts where project_id = ${projectId} and minute >= ${since}
      group by credential_id order by requests desc, credential_id limit 10`.execute(db),
    sql<{ date: string; count: number; errors: number }>`
      select to_char(date_trunc('day', minute at time zone 'UTC'), 'YYYY-MM-DD') as date,
             sum(count)::int as count,
             coalesce(sum(count) filter (where outcome <> 'valid'), 0)::int as errors
      from usage_counts where project_id = ${projectId} and minute >= ${since}
      group by 1 order by 1`.execute(db),
  ]);
  const row = totals.rows[0] ?? { total: 0, valid: 0, limited: 0, avg: null };
  return {
    totalRequests: row.total,
    successRate: row.total === 0 ? 0 : Math.round((row.valid / row.total) * 10_000) / 10_000,
    topKeys: top.rows,
    requestsByDay: days.rows,
    rateLimitHits: row.limited,
    avgLatencyMs: row.avg === null ? 0 : Math.round(row.avg * 1000) / 1000,
  };
}
