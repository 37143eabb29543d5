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
 * Unkey's root-key permissions, accepted beside Elyzor's (`api.*.create_key`, `api.<apiId>.verify_key`,
 * …): an Unkey API is an Elyzor project, so `api.<projectId>.<action>` names one.
 */
export const UNKEY_API_ACTIONS = ['create_api', 'read_api', 'delete_api', 'update_api', 'create_key', 'read_key', 'update_key', 'delete_key', 'verify_key', 'encrypt_key', 'decrypt_key', 'read_analytics'] as const;

/** Unkey's RBAC permissions (`rbac.*.<action>`), for `/v2`'s permissions, roles and their grants to keys. */
export const UNKEY_RBAC_ACTIONS = ['create_permission', 'read_permission', 'delete_permission', 'create_role', 'read_role', 'update_role', 'delete_role', 'add_permission_to_key', 'remove_permission_from_key', 'add_role_to_key', 'remove_role_from_key', 'add_permission_to_role', 'remove_permission_from_role'] as const;

/** Unkey's identity permissions: `identity.*.<action>` (identities belong to the workspace). */
export const UNKEY_IDENTITY_ACTIONS = ['create_identity', 'read_identity', 'update_identity', 'delete_identity'] as const;

/** Unkey's rate-limit permissions: `ratelimit.*.<action>` or `ratelimit.<namespace id or name>.<action>`. */
export const UNKEY_RATELIMIT_ACTIONS = ['limit', 'create_namespace', 'read_namespace', 'set_override', 'read_override', 'delete_override'] as const;

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
