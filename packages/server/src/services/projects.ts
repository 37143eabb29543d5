import { notFound } from '@elyzor/core';
import type { Actor, Deps } from '../deps.js';
import { recordAudit } from '../store/audit.js';
import { publicIdsOfProject } from '../store/credentials.js';
import type { Page, PageRequest } from '../store/page.js';
import type { DB } from '../db/database.js';
import {
  deleteProject,
  findOwnedProject,
  insertProject,
  listProjects,
  lockOwnedProjectForChange,
  lockOwnedProjectForDeletion,
  type ProjectRow,
} from '../store/projects.js';

export interface ProjectView {
  id: string;
  name: string;
  createdAt: string;
}

export const toProjectView = (row: ProjectRow): ProjectView => ({ id: row.id, name: row.name, createdAt: row.created_at.toISOString() });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed UUID. Anything else is "not found" without a query that would fail. */
export const isUuid = (id: string): boolean => UUID.test(id);

export class ProjectService {
  constructor(private readonly deps: Deps) {}

  async create(actor: Actor, name: string): Promise<ProjectView> {
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await insertProject(trx, actor.userId, name);
      await recordAudit(trx, {
        projectId: inserted.id,
        actor,
        action: 'project.created',
        targetType: 'project',
        targetId: inserted.id,
        changes: { name: { before: null, after: name } },
      });
      return inserted;
    });
    return toProjectView(row);
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<ProjectView>> {
    const result = await listProjects(this.deps.db, actor.userId, page);
    return { items: result.items.map(toProjectView), next: result.next };
  }

  /** The actor's project, or 404 — for a malformed id, an unknown one and another user's alike. */
  async require(actor: Actor, projectId: string): Promise<ProjectRow> {
    const row = isUuid(projectId) ? await findOwnedProject(this.deps.db, actor.userId, projectId) : undefined;
    if (row === undefined) throw notFound('Project');
    return row;
  }

  /**
   * Inside a transaction that changes the project's credentials, and before any credential row
   * is touched: the actor's project, locked so that a deletion waits for this transaction (or
   * this one finds the project gone: 404). See `lockOwnedProjectForChange` for the lock order.
   */
  async lockForChange(trx: DB, actor: Actor, projectId: string): Promise<ProjectRow> {
    const row = isUuid(projectId) ? await lockOwnedProjectForChange(trx, actor.userId, projectId) : undefined;
    if (row === undefined) throw notFound('Project');
    return row;
  }

  /** Deletes the project with its credentials and usage in one transaction; its keys fail at once. */
  async delete(actor: Actor, projectId: string): Promise<void> {
    if (!isUuid(projectId)) throw notFound('Project');
    const publicIds = await this.deps.db.transaction().execute(async (trx) => {
      // The project first, then its credentials: the order every credential change follows.
      const row = await lockOwnedProjectForDeletion(trx, actor.userId, projectId);
      if (row === undefined) throw notFound('Project');
      const ids = await publicIdsOfProject(trx, projectId);
      await deleteProject(trx, projectId);
      // After the credentials are gone (which waits for any usage batch writing for them).
      await trx.deleteFrom('usage_counts').where('project_id', '=', projectId).execute();
      await trx.deleteFrom('usage_hourly').where('project_id', '=', projectId).execute();
      await trx.deleteFrom('usage_daily').where('project_id', '=', projectId).execute();
      // Kept after the project is gone: who deleted what, and when.
      await recordAudit(trx, {
        projectId,
        actor,
        action: 'project.deleted',
        targetType: 'project',
        targetId: projectId,
        changes: { name: { before: row.name, after: null } },
      });
      return ids;
    });
    await this.deps.bus.publish(publicIds);
  }
}
