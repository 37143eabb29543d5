import type { ProjectRole, Role } from '@elyzor/core';
import type { Kysely, Selectable } from 'kysely';
import type { InvitationsTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

type Db = Kysely<Schema>;

export interface WorkspaceRow {
  id: string;
  name: string;
  personal_of: string | null;
  created_at: Date;
  /** The role of the user it was read for; null when not a member (or read for no user). */
  role: Role | null;
}

export async function insertWorkspace(db: Db, values: { name: string; personalOf: string | null }): Promise<Omit<WorkspaceRow, 'role'>> {
  return db.insertInto('workspaces').values({ name: values.name, personal_of: values.personalOf }).returningAll().executeTakeFirstOrThrow();
}

/**
 * The workspace with the role of `userId` in it. `update` locks it: every change of membership
 * takes this lock first, so that two owners leaving at once cannot leave it with none.
 */
export async function findWorkspace(db: Db, workspaceId: string, userId: string | null, lock?: 'update' | 'key share'): Promise<WorkspaceRow | undefined> {
  const query = db
    .selectFrom('workspaces')
    .select((eb) => [
      'workspaces.id',
      'workspaces.name',
      'workspaces.personal_of',
      'workspaces.created_at',
      eb.selectFrom('workspace_members').select('workspace_members.role').whereRef('workspace_members.workspace_id', '=', 'workspaces.id').where('workspace_members.user_id', '=', userId).as('role'),
    ])
    .where('workspaces.id', '=', workspaceId);
  const row = await (lock === 'update' ? query.forUpdate() : lock === 'key share' ? query.forKeyShare() : query).executeTakeFirst();
  return row === undefined ? undefined : { ...row, role: (row.role ?? null) as Role | null };
}

export async function personalWorkspaceId(db: Db, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('workspaces').select('id').where('personal_of', '=', userId).executeTakeFirst();
  return row?.id;
}

/** The workspaces `userId` is a member of, newest first. */
export async function listWorkspacesOf(db: Db, userId: string, page: PageRequest): Promise<Page<WorkspaceRow>> {
  let query = db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .select(['workspaces.id', 'workspaces.name', 'workspaces.personal_of', 'workspaces.created_at', 'workspace_members.role'])
    .where('workspace_members.user_id', '=', userId)
    .orderBy('workspaces.created_at', 'desc')
    .orderBy('workspaces.id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor, 'uuid', 'workspaces.'));
  return toPage(await query.execute(), page.limit);
}

export async function renameWorkspace(db: Db, workspaceId: string, name: string): Promise<void> {
  await db.updateTable('workspaces').set({ name }).where('id', '=', workspaceId).execute();
}

export async function projectIdsOfWorkspace(db: Db, workspaceId: string): Promise<string[]> {
  return (await db.selectFrom('projects').select('id').where('workspace_id', '=', workspaceId).orderBy('id').forUpdate().execute()).map((r) => r.id);
}

/** Deletes the workspace: members, invitations and root keys go with it (ON DELETE CASCADE). */
export async function deleteWorkspace(db: Db, workspaceId: string): Promise<void> {
  await db.deleteFrom('workspaces').where('id', '=', workspaceId).execute();
}

export interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  created_at: Date;
}

export async function listMembers(db: Db, workspaceId: string, page: PageRequest): Promise<Page<MemberRow & { id: string }>> {
  let query = db
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['workspace_members.user_id', 'workspace_members.user_id as id', 'users.email', 'workspace_members.role', 'workspace_members.created_at'])
    .where('workspace_members.workspace_id', '=', workspaceId)
    .orderBy('workspace_members.created_at', 'desc')
    .orderBy('workspace_members.user_id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor, 'uuid', 'workspace_members.', 'user_id'));
  return toPage(await query.execute(), page.limit);
}

export async function memberRole(db: Db, workspaceId: string, userId: string): Promise<Role | undefined> {
  const row = await db.selectFrom('workspace_members').select('role').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
  return row?.role;
}

export async function countOwners(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('workspace_members').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', workspaceId).where('role', '=', 'owner').executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Adds the member, or gives them `role` if they already are one. */
export async function putMember(db: Db, workspaceId: string, userId: string, role: Role): Promise<void> {
  await db
    .insertInto('workspace_members')
    .values({ workspace_id: workspaceId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

/** Removes the member, and their roles in the workspace's projects. */
export async function removeMember(db: Db, workspaceId: string, userId: string): Promise<void> {
  await db.deleteFrom('project_members').where('user_id', '=', userId).where('project_id', 'in', db.selectFrom('projects').select('id').where('workspace_id', '=', workspaceId)).execute();
  await db.deleteFrom('workspace_members').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
}

export async function projectRole(db: Db, projectId: string, userId: string): Promise<ProjectRole | undefined> {
  const row = await db.selectFrom('project_members').select('role').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
  return row?.role;
}

/** The per-project roles of a project, each with the member's workspace role, by email. */
export async function listProjectRoles(db: Db, projectId: string, workspaceId: string): Promise<{ user_id: string; role: ProjectRole; workspace_role: Role }[]> {
  return db
    .selectFrom('project_members')
    .innerJoin('workspace_members', (join) => join.onRef('workspace_members.user_id', '=', 'project_members.user_id').on('workspace_members.workspace_id', '=', workspaceId))
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select(['project_members.user_id', 'project_members.role', 'workspace_members.role as workspace_role'])
    .where('project_members.project_id', '=', projectId)
    .orderBy('users.email')
    .execute();
}

export async function putProjectRole(db: Db, projectId: string, userId: string, role: ProjectRole): Promise<void> {
  await db
    .insertInto('project_members')
    .values({ project_id: projectId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

export async function removeProjectRole(db: Db, projectId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export type InvitationRow = Selectable<InvitationsTable>;

export async function insertInvitation(
  db: Db,
  values: { workspaceId: string; email: string; role: Role; tokenDigest: string; invitedBy: string | null; expiresAt: Date },
): Promise<InvitationRow> {
  return db
    .insertInto('invitations')
    .values({ workspace_id: values.workspaceId, email: values.email, role: values.role, token_digest: values.tokenDigest, invited_by: values.invitedBy, expires_at: values.expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listInvitations(db: Db, workspaceId: string, page: PageRequest): Promise<Page<InvitationRow>> {
  let query = db.selectFrom('invitations').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1);
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor));
  return toPage(await query.execute(), page.limit);
}

export async function findInvitation(db: Db, workspaceId: string, invitationId: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', invitationId).forUpdate().executeTakeFirst();
}

/** The invitation of a token's digest, locked: two acceptances of one token run one after the other. */
export async function invitationByDigest(db: Db, tokenDigest: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('token_digest', '=', tokenDigest).forUpdate().executeTakeFirst();
}

export async function updateInvitation(db: Db, invitationId: string, patch: Partial<Pick<InvitationRow, 'accepted_at' | 'accepted_by' | 'revoked_at' | 'token_digest' | 'expires_at'>>): Promise<InvitationRow> {
  return db.updateTable('invitations').set(patch).where('id', '=', invitationId).returningAll().executeTakeFirstOrThrow();
}
