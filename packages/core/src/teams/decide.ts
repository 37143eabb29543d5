import type { Actor } from '../credentials/context.js';
import { PROJECT_ACTION_ROLE, WORKSPACE_ACTION_ROLE, type ProjectAction, type WorkspaceAction } from './actions.js';
import { allowsProjectAction, allowsWorkspaceAction } from './permissions.js';
import { atLeast, type Role } from './roles.js';

/**
 * What authorization answers: the caller may (`allow`), sees the object but has too small a
 * role or lacks the permission (`forbidden`, 403), or may not even see it (`not_found`, 404,
 * exactly like an object that does not exist, so ids cannot be probed).
 */
export type Access = 'allow' | 'forbidden' | 'not_found';

/** A project as authorization needs it: its workspace and the calling user's role in it. */
export interface ProjectAccess {
  id: string;
  workspaceId: string;
  /** The effective role of the user the project was read for; null when not a member. */
  role: Role | null;
}

export interface WorkspaceAccess {
  id: string;
  /** The role of the user the workspace was read for; null when not a member. */
  role: Role | null;
}

const byRole = (role: Role | null, minimum: Role): Access => (role === null ? 'not_found' : atLeast(role, minimum) ? 'allow' : 'forbidden');

/** Who may do `action` on `project`. Pure: the store has already read the caller's role. */
export function decideProject(actor: Actor, project: ProjectAccess, action: ProjectAction): Access {
  switch (actor.type) {
    case 'user':
      return byRole(project.role, PROJECT_ACTION_ROLE[action]);
    case 'root_key':
      if (actor.workspaceId !== project.workspaceId) return 'not_found';
      return allowsProjectAction(actor.permissions, project.id, action) ? 'allow' : 'forbidden';
    case 'system':
    case 'cli':
      return 'allow';
    // A service identity has no management reach.
    case 'service':
      return 'not_found';
  }
}

/** Who may do `action` on the workspace itself. */
export function decideWorkspace(actor: Actor, workspace: WorkspaceAccess, action: WorkspaceAction): Access {
  switch (actor.type) {
    case 'user':
      return byRole(workspace.role, WORKSPACE_ACTION_ROLE[action]);
    case 'root_key':
      if (actor.workspaceId !== workspace.id) return 'not_found';
      return allowsWorkspaceAction(actor.permissions, action) ? 'allow' : 'forbidden';
    case 'system':
    case 'cli':
      return 'allow';
    case 'service':
      return 'not_found';
  }
}
