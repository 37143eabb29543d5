import { auditEntry, authorizeProject, authorizeWorkspace, ElyzorError, isUuid, notFound, reachProject, roleHolder, type Ctx, type ProjectAction, type ProjectRef } from '@elyzor/core';
import type { DB } from '../db/database.js';
import type { Deps } from '../deps.js';
import { recordAudit } from '../store/audit.js';
import { publicIdsOfProject } from '../store/credentials.js';
import type { Page, PageRequest } from '../store/page.js';
import { deleteProject, findProjectRef, insertProject, listProjects, renameProject, type ProjectRow, type ProjectViewer } from '../store/projects.js';
import { findWorkspace, personalWorkspaceId } from '../store/workspaces.js';

export interface ProjectView {
  id: string;
  name: string;
  workspaceId: string;
  createdAt: string;
}

export const toProjectView = (row: ProjectRow): ProjectView => ({ id: row.id, name: row.name, workspaceId: row.workspace_id, createdAt: row.created_at.toISOString() });

/** The projects a list shows `ctx`'s caller: a person's, every project of their workspaces; a root key's, those its permissions name. */
function viewerOf(ctx: Ctx): ProjectViewer {
  const { actor } = ctx;
  if (actor.type === 'user') return { userId: actor.userId };
  if (actor.type === 'root_key') {
    const projectIds = actor.permissions.map((p) => p.split('.')).filter((parts) => (parts[0] === 'project' || parts[0] === 'api') && parts[1] !== undefined && isUuid(parts[1])).map((parts) => (parts[1] ?? '').toLowerCase());
    return { workspaceId: actor.workspaceId, allProjects: actor.permissions.some((p) => p.startsWith('project.*.') || p.startsWith('api.*.')), projectIds: [...new Set(projectIds)] };
  }
  throw notFound('Project');
}

/**
 * Removes a project with its credentials and usage, inside the caller's transaction; the public
 * ids of its credentials are returned, for the bus. The project row must already be locked
 * (`for update`), as every credential change locks it first (`for key share`): one lock order,
 * so a deletion racing creations or rotations never deadlocks.
 */
export async function removeProjectData(trx: DB, projectId: string): Promise<string[]> {
  const ids = await publicIdsOfProject(trx, projectId);
  await deleteProject(trx, projectId);
  // After the credentials are gone (which waits for any usage batch writing for them).
  await trx.deleteFrom('usage_counts').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('usage_hourly').where('project_id', '=', projectId).execute();
  await trx.deleteFrom('usage_daily').where('project_id', '=', projectId).execute();
  return ids;
}

export class ProjectService {
  constructor(private readonly deps: Deps) {}

  /** The injected clock's time, for what this service writes (audit entries). */
  private now(): Date {
    return new Date(this.deps.clock.now());
  }

  /** A project in `workspaceId` (default: a person's personal workspace, a root key's own). Admins and up. */
  async create(ctx: Ctx, name: string, workspaceId?: string): Promise<ProjectView> {
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const target = workspaceId ?? (await this.defaultWorkspace(trx, ctx));
      // The workspace is held (`key share`) so that its deletion cannot miss this project.
      const workspace = authorizeWorkspace(ctx, isUuid(target) ? await findWorkspace(trx, target, roleHolder(ctx), 'key share') : undefined, 'create_project');
      const inserted = await insertProject(trx, { ownerId: await this.creatorOf(trx, ctx), workspaceId: workspace.id, name });
      await recordAudit(
        trx,
        auditEntry(ctx, { projectId: inserted.id, action: 'project.created', targetType: 'project', targetId: inserted.id, changes: { name: { before: null, after: name } } }),
        this.now(),
      );
      return inserted;
    });
    return toProjectView(row);
  }

  async list(ctx: Ctx, page: PageRequest): Promise<Page<ProjectView>> {
    const result = await listProjects(this.deps.db, viewerOf(ctx), page);
    return { items: result.items.map(toProjectView), next: result.next };
  }

  /** The project if the caller may do `action` on it: 404 out of reach (malformed, unknown or another's id alike), 403 with too small a role. */
  async require(ctx: Ctx, projectId: string, action: ProjectAction): Promise<ProjectRef> {
    return reachProject(ctx, projectId, (id, user) => findProjectRef(this.deps.db, id, undefined, user), action);
  }

  /** Renames the project (admins and up; the row is held `for update` while it changes, as a deletion holds it). */
  async rename(ctx: Ctx, projectId: string, name: string): Promise<ProjectView> {
    if (!isUuid(projectId)) throw notFound('Project');
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const project = authorizeProject(ctx, await findProjectRef(trx, projectId, 'update', roleHolder(ctx)), 'update_project');
      const renamed = await renameProject(trx, project.id, name);
      await recordAudit(trx, auditEntry(ctx, { projectId: project.id, action: 'project.updated', targetType: 'project', targetId: project.id, changes: { name: { before: project.name, after: name } } }), this.now());
      return renamed;
    });
    return toProjectView(row);
  }

  /** Deletes the project with its credentials and usage records in one transaction; its keys fail at once. Admins and up. */
  async delete(ctx: Ctx, projectId: string): Promise<void> {
    if (!isUuid(projectId)) throw notFound('Project');
    const publicIds = await this.deps.db.transaction().execute(async (trx) => {
      const project = authorizeProject(ctx, await findProjectRef(trx, projectId, 'update', roleHolder(ctx)), 'delete_project');
      const ids = await removeProjectData(trx, projectId);
      // Kept after the project is gone: who deleted what, and when.
      // The workspace is named outright: the project it would be read from is gone.
      await recordAudit(trx, {
        ...auditEntry(ctx, { projectId, action: 'project.deleted', targetType: 'project', targetId: projectId, changes: { name: { before: project.name, after: null } } }),
        workspaceId: project.workspaceId,
      }, this.now());
      return ids;
    });
    await this.deps.bus.publish(publicIds);
  }

  private async defaultWorkspace(trx: DB, ctx: Ctx): Promise<string> {
    const { actor } = ctx;
    if (actor.type === 'root_key') return actor.workspaceId;
    if (actor.type === 'user') {
      const id = await personalWorkspaceId(trx, actor.userId);
      if (id !== undefined) return id;
    }
    throw notFound('Workspace');
  }

  /** The person recorded as a project's creator: the caller, or the person who made the calling root key. */
  private async creatorOf(trx: DB, ctx: Ctx): Promise<string> {
    const { actor } = ctx;
    if (actor.type === 'user') return actor.userId;
    if (actor.type === 'root_key') {
      const row = await trx.selectFrom('root_keys').select('created_by').where('id', '=', actor.rootKeyId).executeTakeFirst();
      if (row?.created_by !== null && row?.created_by !== undefined) return row.created_by;
    }
    throw new ElyzorError('forbidden', 'This caller cannot create projects');
  }
}
