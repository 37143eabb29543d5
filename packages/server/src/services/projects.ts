import { auditEntry, authorizeProject, isUuid, notFound, reachProject, type Ctx, type ProjectRef } from '@elyzor/core';
import type { Deps } from '../deps.js';
import { recordAudit } from '../store/audit.js';
import { publicIdsOfProject } from '../store/credentials.js';
import type { Page, PageRequest } from '../store/page.js';
import { deleteProject, findProjectRef, insertProject, listProjects, type ProjectRow } from '../store/projects.js';

export interface ProjectView {
  id: string;
  name: string;
  createdAt: string;
}

export const toProjectView = (row: ProjectRow): ProjectView => ({ id: row.id, name: row.name, createdAt: row.created_at.toISOString() });

/** The user a project belongs to when `ctx`'s caller creates or lists projects; projects are a person's until teams. */
function ownerOf(ctx: Ctx): string {
  if (ctx.actor.type !== 'user') throw notFound('Project');
  return ctx.actor.userId;
}

export class ProjectService {
  constructor(private readonly deps: Deps) {}

  async create(ctx: Ctx, name: string): Promise<ProjectView> {
    const ownerId = ownerOf(ctx);
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await insertProject(trx, ownerId, name);
      await recordAudit(
        trx,
        auditEntry(ctx, { projectId: inserted.id, action: 'project.created', targetType: 'project', targetId: inserted.id, changes: { name: { before: null, after: name } } }),
      );
      return inserted;
    });
    return toProjectView(row);
  }

  async list(ctx: Ctx, page: PageRequest): Promise<Page<ProjectView>> {
    const result = await listProjects(this.deps.db, ownerOf(ctx), page);
    return { items: result.items.map(toProjectView), next: result.next };
  }

  /** The project if the caller may read it, or 404 — for a malformed id, an unknown one and another user's alike. */
  async require(ctx: Ctx, projectId: string): Promise<ProjectRef> {
    return reachProject(ctx, projectId, (id) => findProjectRef(this.deps.db, id), 'read');
  }

  /**
   * Deletes the project with its credentials and usage in one transaction; its keys fail at once.
   * The project row is locked first (`for update`), as every credential change locks it first
   * (`for key share`): one lock order, so a deletion racing creations or rotations never deadlocks.
   */
  async delete(ctx: Ctx, projectId: string): Promise<void> {
    if (!isUuid(projectId)) throw notFound('Project');
    const publicIds = await this.deps.db.transaction().execute(async (trx) => {
      const project = authorizeProject(ctx, await findProjectRef(trx, projectId, 'update'), 'write');
      const ids = await publicIdsOfProject(trx, projectId);
      await deleteProject(trx, projectId);
      // After the credentials are gone (which waits for any usage batch writing for them).
      await trx.deleteFrom('usage_counts').where('project_id', '=', projectId).execute();
      await trx.deleteFrom('usage_hourly').where('project_id', '=', projectId).execute();
      await trx.deleteFrom('usage_daily').where('project_id', '=', projectId).execute();
      // Kept after the project is gone: who deleted what, and when.
      await recordAudit(
        trx,
        auditEntry(ctx, { projectId, action: 'project.deleted', targetType: 'project', targetId: projectId, changes: { name: { before: project.name, after: null } } }),
      );
      return ids;
    });
    await this.deps.bus.publish(publicIds);
  }
}
