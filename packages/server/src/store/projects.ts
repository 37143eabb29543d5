import type { ProjectRef } from '@elyzor/core';
import type { Kysely, Selectable } from 'kysely';
import type { ProjectsTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

export type ProjectRow = Selectable<ProjectsTable>;
type Db = Kysely<Schema>;

export async function insertProject(db: Db, ownerId: string, name: string): Promise<ProjectRow> {
  return db.insertInto('projects').values({ owner_id: ownerId, name }).returningAll().executeTakeFirstOrThrow();
}

/**
 * The project as the engine's authorization sees it. Inside a transaction, `lock` holds it:
 * `key share` for a change to its credentials, `update` for its deletion. `for key share`
 * conflicts only with the deletion's `for update`, so creations and rotations in one project do
 * not wait for each other; and since every credential change takes this lock before any
 * credential row, and the deletion takes its own before the credentials it removes, the two can
 * neither deadlock nor leave a credential whose project is gone.
 */
export async function findProjectRef(db: Db, projectId: string, lock?: 'key share' | 'update'): Promise<ProjectRef | undefined> {
  const query = db.selectFrom('projects').select(['id', 'name', 'owner_id']).where('id', '=', projectId);
  const row = await (lock === 'update' ? query.forUpdate() : lock === 'key share' ? query.forKeyShare() : query).executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, name: row.name, ownerId: row.owner_id };
}

export async function listProjects(db: Db, ownerId: string, page: PageRequest): Promise<Page<ProjectRow>> {
  let query = db
    .selectFrom('projects')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor !== undefined) {
    query = query.where(afterCursor(page.cursor));
  }
  return toPage(await query.execute(), page.limit);
}

/** Deletes the project; credentials and usage go with it (ON DELETE CASCADE). */
export async function deleteProject(db: Db, projectId: string): Promise<void> {
  await db.deleteFrom('projects').where('id', '=', projectId).execute();
}
