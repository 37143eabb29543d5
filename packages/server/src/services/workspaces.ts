import { checkMemberChange, checkProjectRoleChange, ElyzorError, isUuid, notFound, reachProject, validationError, type Ctx, type ProjectRole, type Role } from '@elyzor/core';
import type { Deps } from '../deps.js';
import type { Page, PageRequest } from '../store/page.js';
import { findProjectRef } from '../store/projects.js';
import { rootKeyPublicIdsOfWorkspace } from '../store/root-keys.js';
import {
  countOwners,
  deleteWorkspace,
  insertWorkspace,
  listMembers,
  listProjectRoles,
  listWorkspacesOf,
  memberRole,
  projectIdsOfWorkspace,
  projectRole,
  putMember,
  putProjectRole,
  removeMember,
  removeProjectRole,
  renameWorkspace,
  type MemberRow,
  type WorkspaceRow,
} from '../store/workspaces.js';
import { removeProjectData } from './projects.js';
import { announceMember } from './member-events.js';
import { auditWorkspace, changedBy, personOf, reachWorkspace } from './workspace-access.js';

export interface WorkspaceView {
  id: string;
  name: string;
  /** A user's personal workspace: made with the account, never deleted. */
  personal: boolean;
  /** The caller's role in it (null for a root key). */
  role: Role | null;
  createdAt: string;
}

export interface MemberView {
  userId: string;
  email: string;
  role: Role;
  createdAt: string;
}

export const toWorkspaceView = (row: Omit<WorkspaceRow, 'role'> & { role: Role | null }): WorkspaceView => ({
  id: row.id,
  name: row.name,
  personal: row.personal_of !== null,
  role: row.role,
  createdAt: row.created_at.toISOString(),
});

const toMemberView = (row: MemberRow): MemberView => ({ userId: row.user_id, email: row.email, role: row.role, createdAt: row.created_at.toISOString() });

/** Workspaces, their members and the members' per-project roles; every change of membership is audited. */
export class WorkspaceService {
  constructor(private readonly deps: Deps) {}

  private now(): Date {
    return new Date(this.deps.clock.now());
  }

  async list(ctx: Ctx, page: PageRequest): Promise<Page<WorkspaceView>> {
    const { actor } = ctx;
    if (actor.type === 'root_key') {
      // A root key sees its own workspace, when it may read it.
      if (page.cursor !== undefined) return { items: [], next: null };
      try {
        return { items: [toWorkspaceView(await reachWorkspace(this.deps.db, ctx, actor.workspaceId, 'read'))], next: null };
      } catch (error) {
        if (error instanceof ElyzorError) return { items: [], next: null };
        throw error;
      }
    }
    const userId = personOf(ctx);
    if (userId === null) return { items: [], next: null };
    const result = await listWorkspacesOf(this.deps.db, userId, page);
    return { items: result.items.map(toWorkspaceView), next: result.next };
  }

  /** A team workspace, with its creator as owner. People only. */
  async create(ctx: Ctx, name: string): Promise<WorkspaceView> {
    const userId = personOf(ctx);
    if (userId === null) throw new ElyzorError('forbidden', 'Only a person can create a workspace', { details: { action: 'create_workspace' } });
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const workspace = await insertWorkspace(trx, { name, personalOf: null });
      await putMember(trx, workspace.id, userId, 'owner');
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'workspace.created', targetType: 'workspace', targetId: workspace.id, changes: { name: { before: null, after: name } } });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'member.added', targetType: 'member', targetId: userId, changes: { role: { before: null, after: 'owner' } } });
      return workspace;
    });
    return toWorkspaceView({ ...row, role: 'owner' });
  }

  async get(ctx: Ctx, workspaceId: string): Promise<WorkspaceView> {
    return toWorkspaceView(await reachWorkspace(this.deps.db, ctx, workspaceId, 'read'));
  }

  async rename(ctx: Ctx, workspaceId: string, name: string): Promise<WorkspaceView> {
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const workspace = await reachWorkspace(trx, ctx, workspaceId, 'update', 'update');
      await renameWorkspace(trx, workspace.id, name);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'workspace.updated', targetType: 'workspace', targetId: workspace.id, changes: { name: { before: workspace.name, after: name } } });
      return { ...workspace, name };
    });
    return toWorkspaceView(row);
  }

  /** Deletes a team workspace with its projects (their credentials fail at once), members, invitations and root keys. Owners only. */
  async delete(ctx: Ctx, workspaceId: string): Promise<void> {
    const publicIds = await this.deps.db.transaction().execute(async (trx) => {
      const workspace = await reachWorkspace(trx, ctx, workspaceId, 'delete', 'update');
      if (workspace.personal_of !== null) throw validationError('A personal workspace cannot be deleted');
      const ids: string[] = [];
      // Each project locked `for update` (in id order), as a project's own deletion does.
      for (const projectId of await projectIdsOfWorkspace(trx, workspace.id)) ids.push(...(await removeProjectData(trx, projectId)));
      // Its root keys go with it (on delete cascade); every instance drops their cached copies too.
      ids.push(...(await rootKeyPublicIdsOfWorkspace(trx, workspace.id)));
      await deleteWorkspace(trx, workspace.id);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'workspace.deleted', targetType: 'workspace', targetId: workspace.id, changes: { name: { before: workspace.name, after: null } } });
      return ids;
    });
    await this.deps.bus.publish(publicIds);
  }

  async members(ctx: Ctx, workspaceId: string, page: PageRequest): Promise<Page<MemberView>> {
    const workspace = await reachWorkspace(this.deps.db, ctx, workspaceId, 'read');
    const result = await listMembers(this.deps.db, workspace.id, page);
    return { items: result.items.map(toMemberView), next: result.next };
  }

  /** A member's new role. Admins change developers and viewers; owners also make and unmake owners; the last owner stays. */
  async setRole(ctx: Ctx, workspaceId: string, userId: string, role: Role): Promise<MemberView> {
    return this.deps.db.transaction().execute(async (trx) => {
      const workspace = await reachWorkspace(trx, ctx, workspaceId, 'manage_members', 'update');
      const from = isUuid(userId) ? await memberRole(trx, workspace.id, userId) : undefined;
      if (from === undefined) throw notFound('Member');
      checkMemberChange({ by: changedBy(ctx, workspace.role), from, to: role, self: personOf(ctx) === userId, owners: await countOwners(trx, workspace.id) });
      if (from !== role) {
        await putMember(trx, workspace.id, userId, role);
        await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'member.role_changed', targetType: 'member', targetId: userId, changes: { role: { before: from, after: role } } });
        await announceMember(trx, ctx, this.now(), { type: 'member.added', workspaceId: workspace.id, userId, role, previousRole: from });
      }
      const member = await listMember(trx, workspace.id, userId);
      return member;
    });
  }

  /** Removes a member (admins), or the caller leaves (anyone); never the last owner. */
  async removeMember(ctx: Ctx, workspaceId: string, userId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const self = personOf(ctx) === userId;
      const workspace = await reachWorkspace(trx, ctx, workspaceId, self ? 'read' : 'manage_members', 'update');
      const from = isUuid(userId) ? await memberRole(trx, workspace.id, userId) : undefined;
      if (from === undefined) throw notFound('Member');
      checkMemberChange({ by: changedBy(ctx, workspace.role), from, to: null, self, owners: await countOwners(trx, workspace.id) });
      await removeMember(trx, workspace.id, userId);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: self ? 'member.left' : 'member.removed', targetType: 'member', targetId: userId, changes: { role: { before: from, after: null } } });
      await announceMember(trx, ctx, this.now(), { type: 'member.removed', workspaceId: workspace.id, userId, role: from, previousRole: null });
    });
  }

  /** Gives a workspace member a narrower role in one project. Admins of the project. */
  /** The members who hold a per-project role in the project (admins: those who may set them). */
  async listProjectRoles(ctx: Ctx, projectId: string): Promise<{ projectId: string; userId: string; role: ProjectRole; workspaceRole: Role }[]> {
    const project = await reachProject(ctx, projectId, (id, user) => findProjectRef(this.deps.db, id, undefined, user), 'manage_members');
    const rows = await listProjectRoles(this.deps.db, project.id, project.workspaceId);
    return rows.map((row) => ({ projectId: project.id, userId: row.user_id, role: row.role, workspaceRole: row.workspace_role }));
  }

  async setProjectRole(ctx: Ctx, projectId: string, userId: string, role: ProjectRole): Promise<{ projectId: string; userId: string; role: ProjectRole; workspaceRole: Role }> {
    return this.deps.db.transaction().execute(async (trx) => {
      const project = await reachProject(ctx, projectId, (id, user) => findProjectRef(trx, id, 'key share', user), 'manage_members');
      const workspaceRole = isUuid(userId) ? await memberRole(trx, project.workspaceId, userId) : undefined;
      if (workspaceRole === undefined) throw notFound('Member');
      checkProjectRoleChange(changedBy(ctx, project.role), workspaceRole);
      const before = (await projectRole(trx, project.id, userId)) ?? null;
      await putProjectRole(trx, project.id, userId, role);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: project.workspaceId, projectId: project.id, action: 'project_member.role_set', targetType: 'member', targetId: userId, changes: { projectRole: { before, after: role } } });
      await announceMember(trx, ctx, this.now(), { type: 'member.added', workspaceId: project.workspaceId, projectId: project.id, userId, role, previousRole: before ?? workspaceRole });
      return { projectId: project.id, userId, role, workspaceRole };
    });
  }

  /** The member's workspace role applies to the project again. */
  async removeProjectRole(ctx: Ctx, projectId: string, userId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const project = await reachProject(ctx, projectId, (id, user) => findProjectRef(trx, id, 'key share', user), 'manage_members');
      const workspaceRole = isUuid(userId) ? await memberRole(trx, project.workspaceId, userId) : undefined;
      const before = workspaceRole === undefined ? undefined : await projectRole(trx, project.id, userId);
      if (workspaceRole === undefined || before === undefined) throw notFound('Member');
      checkProjectRoleChange(changedBy(ctx, project.role), workspaceRole);
      await removeProjectRole(trx, project.id, userId);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: project.workspaceId, projectId: project.id, action: 'project_member.role_removed', targetType: 'member', targetId: userId, changes: { projectRole: { before, after: null } } });
      // The workspace role applies to the project again: a role change there.
      await announceMember(trx, ctx, this.now(), { type: 'member.added', workspaceId: project.workspaceId, projectId: project.id, userId, role: workspaceRole, previousRole: before });
    });
  }
}

async function listMember(trx: Deps['db'], workspaceId: string, userId: string): Promise<MemberView> {
  const row = await trx
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['workspace_members.user_id', 'users.email', 'workspace_members.role', 'workspace_members.created_at'])
    .where('workspace_members.workspace_id', '=', workspaceId)
    .where('workspace_members.user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return toMemberView(row);
}
