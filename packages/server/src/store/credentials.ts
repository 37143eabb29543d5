import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { CredentialsTable, Schema } from '../db/schema.js';
import { toCount, usageRowsSince, type BigCount } from './usage-ranges.js';

export type CredentialRow = Selectable<CredentialsTable>;
type Db = Kysely<Schema>;

export interface CredentialUsage {
  totalVerifications: number;
  last24h: number;
  errorRate: number;
}

/**
 * Read from the usage roll-ups: the all-time figures from the daily table; `last24h` (and
 * `since` below) take the counts whose minute starts at or after the bound, a granularity of at
 * most one minute (see `usageRowsSince`). Sums are bigint, exact numbers up to 2^53.
 */
export async function credentialUsage(db: Db, credentialId: string, now: Date): Promise<CredentialUsage> {
  const all = await sql<{ total: BigCount; errors: BigCount }>`
    select coalesce(sum(count), 0) as total,
           coalesce(sum(count) filter (where outcome <> 'valid'), 0) as errors
    from ${usageRowsSince({ credentialId }, null)} u`.execute(db);
  const recent = await sql<{ recent: BigCount }>`
    select coalesce(sum(count), 0) as recent
    from ${usageRowsSince({ credentialId }, new Date(now.getTime() - 86_400_000))} u`.execute(db);
  const total = toCount(all.rows[0]?.total);
  const errors = toCount(all.rows[0]?.errors);
  return { totalVerifications: total, last24h: toCount(recent.rows[0]?.recent), errorRate: total === 0 ? 0 : Math.round((errors / total) * 10_000) / 10_000 };
}

export async function credentialUsageByDay(
  db: Db,
  credentialId: string,
  since: Date,
): Promise<Array<{ date: string; count: number; errors: number }>> {
  const rows = await sql<{ date: string; count: BigCount; errors: BigCount }>`
    select to_char(date_trunc('day', at at time zone 'UTC'), 'YYYY-MM-DD') as date,
           sum(count) as count,
           coalesce(sum(count) filter (where outcome <> 'valid'), 0) as errors
    from ${usageRowsSince({ credentialId }, since)} u
    group by 1 order by 1`.execute(db);
  return rows.rows.map((r) => ({ date: r.date, count: toCount(r.count), errors: toCount(r.errors) }));
}

export async function publicIdsOfProject(db: Db, projectId: string): Promise<string[]> {
  const rows = await db.selectFrom('credentials').select('public_id').where('project_id', '=', projectId).execute();
  return rows.map((r) => r.public_id);
}
