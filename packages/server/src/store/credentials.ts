import { NO_SCOPES, type CreditsPolicy, type CredentialRecord, type QuotaPolicy, type RateLimitPolicy } from '@elyzor/core';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { CredentialsTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';
import { toCount, usageRowsSince, type BigCount } from './usage-ranges.js';

export type CredentialRow = Selectable<CredentialsTable>;
type Db = Kysely<Schema>;

/** Shared by every record whose list is empty (most are): cached records stay small. */
const NONE: readonly string[] = Object.freeze([]);
const listOrNone = (values: readonly string[]): readonly string[] => (values.length === 0 ? NONE : values);

/**
 * The row as the verification path sees it. Records live in the credential cache (up to
 * CACHE_MAX_ENTRIES of them), so what is the same for most records is shared, not copied.
 */
export function toRecord(row: CredentialRow): CredentialRecord {
  const noResourceScopes = Object.keys(row.resource_scopes).length === 0;
  return {
    id: row.id,
    projectId: row.project_id,
    kind: row.kind === 'service' ? 'service' : 'key',
    environment: row.environment === 'test' ? 'test' : 'live',
    publicId: row.public_id,
    digest: row.digest,
    name: row.name,
    revokedAt: row.revoked_at?.getTime() ?? null,
    enabled: row.enabled,
    expiresAt: row.expires_at?.getTime() ?? null,
    scopes: row.scopes.length === 0 && noResourceScopes ? NO_SCOPES : { global: listOrNone(row.scopes), resources: row.resource_scopes },
    ipAllowlist: listOrNone(row.ip_allowlist),
    ipDenylist: listOrNone(row.ip_denylist),
    rateLimit: row.rate_limit as RateLimitPolicy | null,
    quota: row.quota as QuotaPolicy | null,
    credits: row.credits as CreditsPolicy | null,
    limitKey: row.limit_key ?? row.id,
    metadata: row.metadata,
    ownerId: row.owner_id,
  };
}

/** The verification path's read of a burst of cache misses: one index scan for all of them. */
export async function findManyByPublicId(db: Db, publicIds: readonly string[]): Promise<Map<string, CredentialRecord>> {
  const rows = await db
    .selectFrom('credentials')
    .selectAll()
    .where('public_id', '=', sql<string>`any(${[...publicIds]}::text[])`)
    .execute();
  return new Map(rows.map((row) => [row.public_id, toRecord(row)]));
}

export async function insertCredential(db: Db, values: Insertable<CredentialsTable>): Promise<CredentialRow> {
  return db.insertInto('credentials').values(values).returningAll().executeTakeFirstOrThrow();
}

/** One credential of one kind in one project: any other combination is not found. */
function oneCredential(db: Db, projectId: string, kind: CredentialRow['kind'], id: string) {
  return db.selectFrom('credentials').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('kind', '=', kind);
}

export async function getCredential(db: Db, projectId: string, kind: CredentialRow['kind'], id: string): Promise<CredentialRow | undefined> {
  return oneCredential(db, projectId, kind, id).executeTakeFirst();
}

/** Row lock for a read-modify-write inside a transaction (revoke, rotate, update), taken after the project's lock. */
export async function lockCredential(db: Db, projectId: string, kind: CredentialRow['kind'], id: string): Promise<CredentialRow | undefined> {
  return oneCredential(db, projectId, kind, id).forUpdate().executeTakeFirst();
}

export type CredentialStatus = 'active' | 'disabled' | 'expired' | 'revoked';

export interface CredentialFilters {
  tag?: string | undefined;
  ownerId?: string | undefined;
  environment?: 'live' | 'test' | undefined;
  status?: CredentialStatus | undefined;
}

/** The status a credential has at `now`; the first that applies of revoked, expired, disabled. */
export function statusOf(row: CredentialRow, now: number): CredentialStatus {
  if (row.revoked_at !== null && row.revoked_at.getTime() <= now) return 'revoked';
  if (row.expires_at !== null && row.expires_at.getTime() <= now) return 'expired';
  if (!row.enabled) return 'disabled';
  return 'active';
}

export async function listCredentials(
  db: Db,
  projectId: string,
  kind: CredentialRow['kind'],
  filters: CredentialFilters,
  page: PageRequest,
  now: Date,
): Promise<Page<CredentialRow>> {
  let query = db
    .selectFrom('credentials')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (filters.tag !== undefined) query = query.where(sql<boolean>`tags @> ${JSON.stringify([filters.tag])}::jsonb`);
  if (filters.ownerId !== undefined) query = query.where('owner_id', '=', filters.ownerId);
  if (filters.environment !== undefined) query = query.where('environment', '=', filters.environment);
  const revoked = sql<boolean>`(revoked_at is not null and revoked_at <= ${now})`;
  const expired = sql<boolean>`(expires_at is not null and expires_at <= ${now})`;
  switch (filters.status) {
    case 'revoked':
      query = query.where(revoked);
      break;
    case 'expired':
      query = query.where(sql<boolean>`not ${revoked} and ${expired}`);
      break;
    case 'disabled':
      query = query.where(sql<boolean>`not ${revoked} and not ${expired} and not enabled`);
      break;
    case 'active':
      query = query.where(sql<boolean>`not ${revoked} and not ${expired} and enabled`);
      break;
    case undefined:
      break;
  }
  if (page.cursor !== undefined) {
    query = query.where(afterCursor(page.cursor));
  }
  return toPage(await query.execute(), page.limit);
}

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

export async function updateCredential(
  db: Db,
  id: string,
  changes: Partial<Insertable<CredentialsTable>>,
): Promise<CredentialRow> {
  return db
    .updateTable('credentials')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function publicIdsOfProject(db: Db, projectId: string): Promise<string[]> {
  const rows = await db.selectFrom('credentials').select('public_id').where('project_id', '=', projectId).execute();
  return rows.map((r) => r.public_id);
}
