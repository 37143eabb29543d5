import { PROJECT_ACTIONS } from '@elyzor/contract';
import type { CredentialKind } from '../verify/record.js';
import type { Role } from './roles.js';

/**
 * What a caller does to a project. The "Teams and roles" table of docs/api.md is this file: each
 * action, the weakest role that may do it, and the root-key permission that allows it. The list
 * of actions is the wire contract's (root-key permissions name them).
 */
export { PROJECT_ACTIONS };
export type ProjectAction = (typeof PROJECT_ACTIONS)[number];

/** What a caller does to a workspace itself. */
export const WORKSPACE_ACTIONS = ['read', 'update', 'create_project', 'manage_members', 'manage_root_keys', 'delete', 'transfer_ownership'] as const;
export type WorkspaceAction = (typeof WORKSPACE_ACTIONS)[number];

export const PROJECT_ACTION_ROLE: Record<ProjectAction, Role> = {
  read_key: 'viewer',
  read_service: 'viewer',
  read_analytics: 'viewer',
  read_audit: 'viewer',
  create_key: 'developer',
  update_key: 'developer',
  rotate_key: 'developer',
  revoke_key: 'developer',
  create_service: 'developer',
  update_service: 'developer',
  rotate_service: 'developer',
  revoke_service: 'developer',
  update_project: 'admin',
  delete_project: 'admin',
  manage_members: 'admin',
  manage_webhooks: 'admin',
};

export const WORKSPACE_ACTION_ROLE: Record<WorkspaceAction, Role> = {
  read: 'viewer',
  update: 'admin',
  create_project: 'admin',
  manage_members: 'admin',
  manage_root_keys: 'admin',
  delete: 'owner',
  transfer_ownership: 'owner',
};

/** The action of a credential verb on a kind: `rotate` of a service is `rotate_service`. */
export const credentialAction = (verb: 'read' | 'create' | 'update' | 'rotate' | 'revoke', kind: CredentialKind): ProjectAction => `${verb}_${kind === 'key' ? 'key' : 'service'}`;
