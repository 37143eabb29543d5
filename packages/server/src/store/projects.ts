import { effectiveRole, type ProjectRef, type ProjectRole, type Role } from '@elyzor/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ProjectsTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

export type ProjectRow = Selectable<ProjectsTable>;
type Db = Kysely<Schema>;

export async function insertProject(db: Db, values: { ownerId: string; workspaceId: string; name: string }): Promise<ProjectRow> {
  return db.insertInto('projects').values({ owner_id: values.ownerId, workspace_id: values.workspaceId, name: values.name }).returningAll().executeTakeFirstOrThrow();
}

/**
 * The project as the engine's authorization sees it, with the effective role of `userId` in it
 * (read by subqueries, so that the lock below holds the project row alone). Inside a
 * transaction, `lock` holds it: `key share` for a change to its credentials, `update` for its
 * deletion. `for key share` conflicts only with the deletion's `for update`, so creations and
 * rotations in one project do not wait for each other; and since every credential change takes
 * this lock before any credential row, and the deletion takes its own before the credentials it
 * removes, the two can neither deadlock nor leave a credential whose project is gone.
 */
export async function findProjectRef(db: Db, projectId: string, lock?: 'key share' | 'update', userId: string | null = null): Promise<ProjectRef | undefined> {
  const query = db
    .selectFrom('projects')
    .select((eb) => [
      'projects.id',
      'projects.name',
      'projects.owner_id',
      'projects.workspace_id',
      eb
        .selectFrom('workspace_members')
        .select('workspace_members.role')
        .whereRef('workspace_members.workspace_id', '=', 'projects.workspace_id')
        .where('workspace_members.user_id', '=', userId)
        .as('workspace_role'),
      eb
        .selectFrom('project_members')
        .select('project_members.role')
        .whereRef('project_members.project_id', '=', 'projects.id')
        .where('project_members.user_id', '=', userId)
        .as('project_role'),
    ])
    .where('projects.id', '=', projectId);
  const row = await (lock === 'update' ? query.forUpdate() : lock === 'key share' ? query.forKeyShare() : query).executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    workspaceId: row.workspace_id,
    role: effectiveRole((row.workspace_role ?? null) as Role | null, (row.project_role ?? null) as ProjectRole | null),
  };
}

/** Whom a list of projects is for: a person (every project of their workspaces) or a root key (the projects its permissions name). */
export type ProjectViewer = { userId: string } | { workspaceId: string; allProjects: boolean; projectIds: string[] };

export async function listProjects(db: Db, viewer: ProjectViewer, page: PageRequest): Promise<Page<ProjectRow>> {
  let query = db.selectFrom('projects').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1);
  if ('userId' in viewer) {
    query = query.where('workspace_id', 'in', db.selectFrom('workspace_members').select('workspace_id').where('user_id', '=', viewer.userId));
  } else {
    query = query.where('workspace_id', '=', viewer.workspaceId);
    if (!viewer.allProjects) query = viewer.projectIds.length === 0 ? query.where(sql<boolean>`false`) : query.where('id', 'in', viewer.projectIds);
  }
  if (page.cursor !== undefined) {
    query = query.where(afterCursor(page.cursor));
  }
  return toPage(await query.execute(), page.limit);
}

/** Deletes the project; credentials and usage go with it (ON DELETE CASCADE). */
export async function deleteProject(db: Db, projectId: string): Promise<void> {
  await db.deleteFrom('projects').where('id', '=', projectId).execute();
}

export async function renameProject(db: Db, projectId: string, name: string): Promise<ProjectRow> {
  return db.updateTable('projects').set({ name }).where('id', '=', projectId).returningAll().executeTakeFirstOrThrow();
}
