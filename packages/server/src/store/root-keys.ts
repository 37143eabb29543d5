import type { Kysely, Selectable } from 'kysely';
import type { RootKeysTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

type Db = Kysely<Schema>;
export type RootKeyRow = Selectable<RootKeysTable>;

export async function insertRootKey(
  db: Db,
  values: { workspaceId: string; name: string; publicId: string; digest: string; permissions: string[]; expiresAt: Date | null; createdBy: string | null },
): Promise<RootKeyRow> {
  return db
    .insertInto('root_keys')
    .values({
      workspace_id: values.workspaceId,
      name: values.name,
      public_id: values.publicId,
      digest: values.digest,
      permissions: JSON.stringify(values.permissions),
      expires_at: values.expiresAt,
      created_by: values.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The root key of a presented public id: read when no instance cache holds it (see services/root-key-cache.ts). */
export async function rootKeyByPublicId(db: Db, publicId: string): Promise<RootKeyRow | undefined> {
  return db.selectFrom('root_keys').selectAll().where('public_id', '=', publicId).executeTakeFirst();
}

/** The public ids of a workspace's root keys: what its deletion announces on the invalidation bus. */
export async function rootKeyPublicIdsOfWorkspace(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.selectFrom('root_keys').select('public_id').where('workspace_id', '=', workspaceId).execute();
  return rows.map((row) => row.public_id);
}

export async function findRootKey(db: Db, workspaceId: string, rootKeyId: string): Promise<RootKeyRow | undefined> {
  return db.selectFrom('root_keys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', rootKeyId).forUpdate().executeTakeFirst();
}

export async function listRootKeys(db: Db, workspaceId: string, page: PageRequest): Promise<Page<RootKeyRow>> {
  let query = db.selectFrom('root_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1);
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor));
  return toPage(await query.execute(), page.limit);
}

export async function updateRootKey(db: Db, rootKeyId: string, patch: Partial<Pick<RootKeyRow, 'public_id' | 'digest' | 'revoked_at'>> & { updated_at: Date }): Promise<RootKeyRow> {
  return db.updateTable('root_keys').set(patch).where('id', '=', rootKeyId).returningAll().executeTakeFirstOrThrow();
}
