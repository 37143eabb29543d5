import { ROOT_KEY_WORKSPACE_ACTIONS, UNKEY_API_ACTIONS, UNKEY_RBAC_ACTIONS } from '@elyzor/contract';
import { isUuid } from '../ids.js';
import { PROJECT_ACTIONS, type ProjectAction, type WorkspaceAction } from './actions.js';
import { isUnkeyServicePermission } from './unkey-services.js';

/**
 * Root-key permissions: `project.<projectId>.<action>` or `project.*.<action>` (every project of
 * the root key's workspace, today's and tomorrow's) for a project action, and
 * `workspace.<action>` for the few workspace actions a machine may do. Managing root keys,
 * deleting a workspace and transferring its ownership are for people only: a leaked root key
 * cannot mint others or lock its owners out.
 */
export { ROOT_KEY_WORKSPACE_ACTIONS };
// Every workspace action a root key may hold is a workspace action.
ROOT_KEY_WORKSPACE_ACTIONS satisfies readonly WorkspaceAction[];
type RootKeyWorkspaceAction = (typeof ROOT_KEY_WORKSPACE_ACTIONS)[number];

export const MAX_PERMISSIONS = 100;

/** Whether `permission` is one of the grammar above (unknown actions are refused, not ignored). */
export function isPermission(permission: string): boolean {
  const parts = permission.split('.');
  if (parts[0] === 'rbac') return parts.length === 3 && parts[1] === '*' && (UNKEY_RBAC_ACTIONS as readonly string[]).includes(parts[2] ?? '');
  if (parts[0] === 'workspace') return parts.length === 2 && (ROOT_KEY_WORKSPACE_ACTIONS as readonly string[]).includes(parts[1] ?? '');
  if ((parts[0] === 'project' || parts[0] === 'api') && parts.length === 3) {
    const [kind, target = '', action = ''] = parts;
    const actions: readonly string[] = kind === 'project' ? PROJECT_ACTIONS : UNKEY_API_ACTIONS;
    return (target === '*' || isUuid(target)) && actions.includes(action);
  }
  return isUnkeyServicePermission(permission);
}

export type UnkeyApiAction = (typeof UNKEY_API_ACTIONS)[number];

/** What each of Unkey's `api.*.<action>` permissions allows of Elyzor's project actions. */
const UNKEY_MEANS: Readonly<Record<UnkeyApiAction, readonly ProjectAction[]>> = {
  create_api: [],
  read_api: ['read_key'],
  update_api: ['update_project'],
  delete_api: ['delete_project'],
  create_key: ['create_key'],
  read_key: ['read_key'],
  update_key: ['update_key', 'rotate_key'],
  delete_key: ['revoke_key'],
  verify_key: [],
  encrypt_key: [],
  decrypt_key: [],
  read_analytics: ['read_analytics'],
};

/** Whether the permissions hold Unkey's `api.<projectId>.<action>` (or `api.*.<action>`) itself. */
export function allowsUnkeyAction(permissions: readonly string[], projectId: string, action: UnkeyApiAction): boolean {
  const id = projectId.toLowerCase();
  return permissions.some((p) => p === `api.*.${action}` || p.toLowerCase() === `api.${id}.${action}`);
}

export type UnkeyRbacAction = (typeof UNKEY_RBAC_ACTIONS)[number];

/** Whether the permissions hold Unkey's `rbac.*.<action>` (Unkey's RBAC permissions name no resource). */
export const allowsRbacAction = (permissions: readonly string[], action: UnkeyRbacAction): boolean => permissions.includes(`rbac.*.${action}`);

/** The permissions that are not of the grammar, for a validation error that names them. */
export const invalidPermissions = (permissions: readonly string[]): string[] => permissions.filter((p) => !isPermission(p));

/** Whether the permissions allow `action` on the project `projectId` (ids compared case-insensitively, as UUIDs are). */
export function allowsProjectAction(permissions: readonly string[], projectId: string, action: ProjectAction): boolean {
  const id = projectId.toLowerCase();
  if (permissions.some((p) => p === `project.*.${action}` || p.toLowerCase() === `project.${id}.${action}`)) return true;
  return UNKEY_API_ACTIONS.some((unkey) => UNKEY_MEANS[unkey].includes(action) && allowsUnkeyAction(permissions, id, unkey));
}

export function allowsWorkspaceAction(permissions: readonly string[], action: WorkspaceAction): boolean {
  if (!(ROOT_KEY_WORKSPACE_ACTIONS as readonly string[]).includes(action)) return false;
  // Unkey's `api.*.create_api` is the making of a project.
  if (action === 'create_project' && permissions.includes('api.*.create_api')) return true;
  return permissions.includes(`workspace.${action as RootKeyWorkspaceAction}`);
}
