import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { CredentialsTable, Schema } from '../db/schema.js';

export type CredentialRow = Selectable<CredentialsTable>;
type Db = Kysely<Schema>;

export interface CredentialUsage {
  totalVerifications: number;
  last24h: number;
  errorRate: number;
}

/**
 * Read from the per-minute usage counts: `last24h` (and `since` below) take the counts whose
 * minute starts at or after the bound, a granularity of at most one minute.
 */
export async function credentialUsage(db: Db, credentialId: string, now: Date): Promise<CredentialUsage> {
  const row = await sql<{ total: number; recent: number; errors: number }>`
    select coalesce(sum(count), 0)::int as total,
           coalesce(sum(count) filter (where minute >= ${new Date(now.getTime() - 86_400_000)}), 0)::int as recent,
           coalesce(sum(count) filter (where outcome <> 'valid'), 0)::int as errors
    from usage_counts where credential_id = ${credentialId}`.execute(db);
  const r = row.rows[0] ?? { total: 0, recent: 0, errors: 0 };
  return { totalVerifications: r.total, last24h: r.recent, errorRate: r.total === 0 ? 0 : Math.round((r.errors / r.total) * 10_000) / 10_000 };
}

export async function credentialUsageByDay(
  db: Db,
  credentialId: string,
  since: Date,
): Promise<Array<{ date: string; count: number; errors: number }>> {
  const rows = await sql<{ date: string; count: number; errors: number }>`
    select to_char(date_trunc('day', minute at time zone 'UTC'), 'YYYY-MM-DD') as date,
           sum(count)::int as count,
           coalesce(sum(count) filter (where outcome <> 'valid'), 0)::int as errors
    from usage_counts where credential_id = ${credentialId} and minute >= ${since}
    group by 1 order by 1`.execute(db);
  return rows.rows;
}

export async function publicIdsOfProject(db: Db, projectId: string): Promise<string[]> {
  const rows = await db.selectFrom('credentials').select('public_id').where('project_id', '=', projectId).execute();
  return rows.map((r) => r.public_id);
}
