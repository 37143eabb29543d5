import { notFound } from '../errors.js';
import type { Ctx } from './context.js';
import type { ProjectRef } from './ports.js';

/** `manage`: the project's settings (webhooks); with roles, admins only. Today the owner may do all three. */
export type ProjectAction = 'read' | 'write' | 'manage';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else names nothing (404, never a query error). */
export const isUuid = (id: string): boolean => UUID.test(id);

/**
 * The one place a caller's reach over a project is decided, before every verb. A project the
 * caller may not see is `not_found`, exactly like one that does not exist, so ids cannot be
 * probed. Elyzor itself and the operator's CLI reach every project.
 */
export function authorizeProject(ctx: Ctx, project: ProjectRef | undefined, _action: ProjectAction): ProjectRef {
  if (project !== undefined) {
    const { actor } = ctx;
    switch (actor.type) {
      case 'user':
        if (project.ownerId === actor.userId) return project;
        break;
      case 'system':
      case 'cli':
        return project;
      // Root keys and services get their reach with their permissions; until then, none.
      case 'root_key':
      case 'service':
        break;
    }
  }
  throw notFound('Project');
}

/** `authorizeProject` of the project `find` reads; a malformed id is not even looked up. */
export async function reachProject(
  ctx: Ctx,
  projectId: string,
  find: (projectId: string) => Promise<ProjectRef | undefined>,
  action: ProjectAction,
): Promise<ProjectRef> {
  return authorizeProject(ctx, isUuid(projectId) ? await find(projectId) : undefined, action);
}
