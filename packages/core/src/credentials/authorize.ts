import { ElyzorError, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import type { ProjectAction, WorkspaceAction } from '../teams/actions.js';
import { decideProject, decideWorkspace, type Access, type WorkspaceAccess } from '../teams/decide.js';
import type { Ctx } from './context.js';
import type { ProjectRef } from './ports.js';

export type { ProjectAction };

export { isUuid };

function enforce(access: Access, noun: string, action: string): void {
  if (access === 'not_found') throw notFound(noun);
  if (access === 'forbidden') throw new ElyzorError('forbidden', `Your role or permissions do not allow ${action} here`, { details: { action } });
}

/** The user whose role a store reads with a project or workspace (null for every other caller). */
export const roleHolder = (ctx: Ctx): string | null => (ctx.actor.type === 'user' ? ctx.actor.userId : null);

/**
 * The one place a caller's reach over a project is decided, before every verb (the decision
 * itself is `decideProject`, pure). A project the caller may not see is `not_found`, exactly like
 * one that does not exist, so ids cannot be probed; one they see with too small a role, or a
 * root key without the permission, is `forbidden`.
 */
export function authorizeProject(ctx: Ctx, project: ProjectRef | undefined, action: ProjectAction): ProjectRef {
  if (project === undefined) throw notFound('Project');
  enforce(decideProject(ctx.actor, project, action), 'Project', action);
  return project;
}

/** The same for a workspace itself. */
export function authorizeWorkspace<W extends WorkspaceAccess>(ctx: Ctx, workspace: W | undefined, action: WorkspaceAction): W {
  if (workspace === undefined) throw notFound('Workspace');
  enforce(decideWorkspace(ctx.actor, workspace, action), 'Workspace', action);
  return workspace;
}

/**
 * `authorizeProject` of the project `find` reads (with the role of `ctx`'s user in it); a
 * malformed id is not even looked up.
 */
export async function reachProject(
  ctx: Ctx,
  projectId: string,
  find: (projectId: string, userId: string | null) => Promise<ProjectRef | undefined>,
  action: ProjectAction,
): Promise<ProjectRef> {
  return authorizeProject(ctx, isUuid(projectId) ? await find(projectId, roleHolder(ctx)) : undefined, action);
}
