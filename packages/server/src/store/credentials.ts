import type { CredentialRecord, QuotaPolicy, RateLimitPolicy } from '@elyzor/core';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { CredentialsTable, Schema } from '../db/schema.js';
import { decodeCursor, toPage, type Page, type PageRequest } from './page.js';

export type CredentialRow = Selectable<CredentialsTable>;
type Db = Kysely<Schema>;

/** The row as the verification path sees it. */
export function toRecord(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    kind: row.kind,
    environment: row.environment,
    publicId: row.public_id,
    digest: row.digest,
    name: row.name,
    revokedAt: row.revoked_at?.getTime() ?? null,
    enabled: row.enabled,
    expiresAt: row.expires_at?.getTime() ?? null,
    scopes: { global: row.scopes, resources: row.resource_scopes },
    ipAllowlist: row.ip_allowlist,
    ipDenylist: row.ip_denylist,
    rateLimit: row.rate_limit as RateLimitPolicy | null,
    quota: row.quota as QuotaPolicy | null,
    metadata: row.metadata,
    ownerId: row.owner_id,
  };
}

/** The verification path's read: one indexed lookup by public id. */
export async function findByPublicId(db: Db, publicId: string): Promise<CredentialRecord | null> {
  const row = await db.selectFrom('credentials').selectAll().where('public_id', '=', publicId).executeTakeFirst();
  return row === undefined ? null : toRecord(row);
}

export async function insertCredential(db: Db, values: Insertable<CredentialsTable>): Promise<CredentialRow> {
  return db.insertInto('credentials').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function getCredential(db: Db, projectId: string, kind: CredentialRow['kind'], id: string): Promise<CredentialRow | undefined> {
  return db
    .selectFrom('credentials')
    .selectAll()
    .where('id', '=', id)
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .executeTakeFirst();
}

/** Row lock for a read-modify-write inside a transaction (revoke, rotate, update). */
export async function lockCredential(db: Db, projectId: string, kind: CredentialRow['kind'], id: string): Promise<CredentialRow | undefined> {
  return db
    .selectFrom('credentials')
    .selectAll()
    .where('id', '=', id)
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .forUpdate()
    .executeTakeFirst();
}

export async function listCredentials(
  db: Db,
  projectId: string,
  kind: CredentialRow['kind'],
  page: PageRequest,
): Promise<Page<CredentialRow>> {
  let query = db
    .selectFrom('credentials')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor !== undefined) {
    const after = decodeCursor(page.cursor);
    query = query.where(sql<boolean>`(created_at, id) < (${after.createdAt}, ${after.id}::uuid)`);
  }
  return toPage(await query.execute(), page.limit);
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
