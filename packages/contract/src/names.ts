/**
 * The closed lists of names the API speaks: plain data with no schema library, so that a
 * browser bundle (the dashboard) can import them without TypeBox (`@elyzor/contract/names`).
 */

/**
 * What a caller does to a project: the actions roles are ranked by and root-key permissions
 * name (`project.<id>.<action>`). The engine's table of roles (`@elyzor/core`, teams/actions.ts)
 * is keyed by this list.
 */
export const PROJECT_ACTIONS = [
  'read_key',
  'create_key',
  'update_key',
  'rotate_key',
  'revoke_key',
  'read_service',
  'create_service',
  'update_service',
  'rotate_service',
  'revoke_service',
  'read_analytics',
  'read_audit',
  'update_project',
  'delete_project',
  'manage_members',
  'manage_webhooks',
] as const;

/** The workspace actions a root key may be given (`workspace.<action>`); the others are for people only. */
export const ROOT_KEY_WORKSPACE_ACTIONS = ['read', 'update', 'create_project', 'manage_members'] as const;

/**
 * Every event a webhook can subscribe to, in one closed list: the engine emits them, the wire
 * schema accepts them, docs/api.md lists them. `member.*` come with workspaces and members,
 * `usage.quota_threshold` and `verification.failure_burst` with the usage path; they are in
 * the catalogue so that a subscription to them is valid before their emitters exist.
 */
export const WEBHOOK_EVENT_TYPES = [
  'key.created',
  'key.updated',
  'key.rotated',
  'key.revoked',
  'key.disabled',
  'key.expiring',
  'key.expired',
  'service.created',
  'service.updated',
  'service.rotated',
  'service.revoked',
  'service.disabled',
  'service.expiring',
  'service.expired',
  'usage.quota_threshold',
  'verification.failure_burst',
  'member.added',
  'member.removed',
] as const;
