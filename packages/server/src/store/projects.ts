import type { Kysely, Selectable } from 'kysely';
import type { ProjectsTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

export type ProjectRow = Selectable<ProjectsTable>;
type Db = Kysely<Schema>;

export async function insertProject(db: Db, ownerId: string, name: string): Promise<ProjectRow> {
  return db.insertInto('projects').values({ owner_id: ownerId, name }).returningAll().executeTakeFirstOrThrow();
}

/** The project, only if `ownerId` owns it: another user's project is indistinguishable from none. */
export async function findOwnedProject(db: Db, ownerId: string, projectId: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).where('owner_id', '=', ownerId).executeTakeFirst();
}

/**
 * The project locked against deletion, inside a transaction that changes its credentials.
 * `for key share` conflicts only with the deletion's `for update`, so creations and rotations in
 * one project do not wait for each other; and since every such transaction takes this lock
 * before any credential row, and the deletion takes its own before the credentials it removes,
 * the two can neither deadlock nor leave a credential whose project is gone.
 */
export async function lockOwnedProjectForChange(db: Db, ownerId: string, projectId: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).where('owner_id', '=', ownerId).forKeyShare().executeTakeFirst();
}

/** The project locked for its deletion: waits for the credential changes under way in it, and holds off new ones. */
export async function lockOwnedProjectForDeletion(db: Db, ownerId: string, projectId: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).where('owner_id', '=', ownerId).forUpdate().executeTakeFirst();
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
