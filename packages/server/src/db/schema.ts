import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the schema created by `migrations/`. */
export interface UsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  user_id: string;
  /** One login = one session; rotation keeps the session id. */
  session_id: string;
  token_digest: string;
  access_jti: string;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface RevokedAccessTokensTable {
  jti: string;
  expires_at: Date;
}

export interface ProjectsTable {
  id: Generated<string>;
  owner_id: string;
  workspace_id: string;
  name: string;
  created_at: Generated<Date>;
}

type Json<T> = ColumnType<T, string, string>;
/** A JSON column with a database default: optional on insert. */
type JsonDefault<T> = ColumnType<T, string | undefined, string>;

export interface CredentialsTable {
  id: Generated<string>;
  project_id: string;
  kind: 'key' | 'service';
  environment: 'live' | 'test';
  public_id: string;
  digest: string;
  label: string | null;
  name: string | null;
  /** Written from the injected clock on every insert (the column's `now()` default is not relied on). */
  created_at: Date;
  updated_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  /** The credential that replaced this one through rotation. */
  replaced_by: string | null;
  enabled: Generated<boolean>;
  expires_at: Date | null;
  scopes: JsonDefault<string[]>;
  resource_scopes: JsonDefault<Record<string, string[]>>;
  ip_allowlist: JsonDefault<string[]>;
  ip_denylist: JsonDefault<string[]>;
  rate_limit: Json<unknown> | null;
  quota: Json<unknown> | null;
  metadata: Json<Record<string, unknown>> | null;
  tags: JsonDefault<string[]>;
  owner_id: string | null;
  credits: Json<unknown> | null;
  limit_key: string | null;
  /** Keys of Unkey's format: `{prefix, byteLength, start}`; null for Elyzor's own. */
  key_format: Json<unknown> | null;
}

/** Verifications of one credential with one outcome within one minute (UTC), counted. */
export interface UsageCountsTable {
  project_id: string;
  credential_id: string;
  outcome: string;
  /** Start of the minute. */
  minute: Date;
  count: number;
  /** Sum of the verifications' latencies, ms. */
  latency_sum: number;
}

/** usage_counts summed per UTC hour; `count` is bigint, which the driver returns as a string. */
export interface UsageHourlyTable {
  project_id: string;
  credential_id: string;
  outcome: string;
  hour: Date;
  count: string;
  latency_sum: number;
}

/** usage_counts summed per UTC day; `count` is bigint, which the driver returns as a string. */
export interface UsageDailyTable {
  project_id: string;
  credential_id: string;
  outcome: string;
  day: Date;
  count: string;
  latency_sum: number;
}

export interface AuditEventsTable {
  id: Generated<string>;
  /** Null for entries of a workspace that name no project (membership, root keys). */
  project_id: string | null;
  workspace_id: string | null;
  actor_id: string | null;
  actor_type: string | null;
  action: string;
  target_type: AuditTargetType;
  target_id: string | null;
  request_id: string | null;
  ip: string | null;
  changes: Json<AuditChanges> | null;
  outcome: string | null;
  count: Generated<number>;
  /** Written from the injected clock (or the failure's minute), never left to `now()`. */
  created_at: Date;
}

/** Fields that changed: what they were and what they became. Never secrets or digests. */
export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

export type AuditTargetType = 'project' | 'key' | 'service' | 'workspace' | 'member' | 'invitation' | 'root_key' | 'webhook' | 'identity' | 'ratelimit_namespace' | 'ratelimit_override' | 'permission' | 'role';

export type RoleColumn = 'owner' | 'admin' | 'developer' | 'viewer';

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  personal_of: string | null;
  created_at: Generated<Date>;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  role: RoleColumn;
  created_at: Generated<Date>;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: Exclude<RoleColumn, 'owner'>;
  created_at: Generated<Date>;
}

export interface InvitationsTable {
  id: Generated<string>;
  workspace_id: string;
  email: string;
  role: RoleColumn;
  token_digest: string;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface RootKeysTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  public_id: string;
  digest: string;
  permissions: JsonDefault<string[]>;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhooksTable {
  id: Generated<string>;
  project_id: string;
  url: string;
  events: Json<string[]>;
  description: string | null;
  enabled: Generated<boolean>;
  /** The signing secret, encrypted at rest (webhooks/secret-box.ts). */
  secret_sealed: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** The outbox: one row per event, written with the change that caused it. */
export interface WebhookEventsTable {
  id: Generated<string>;
  seq: Generated<string>;
  project_id: string;
  type: string;
  data: Json<Record<string, unknown>>;
  created_at: Date;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  event_id: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Date;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempted_at: Date;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  response_snippet: string | null;
}

export interface CredentialExpiryNoticesTable {
  credential_id: string;
  notice: string;
  sent_at: Date;
}

export interface VerificationBurstNoticesTable {
  project_id: string;
  minute: Date;
}

export interface UsageThresholdNoticesTable {
  credential_id: string;
  meter: 'quota' | 'credits';
  threshold: number;
  period_end: Date;
  period_limit: string | number;
  created_at: Date;
}

/** Unkey's RBAC (migration 010): a workspace's permissions and roles, and the roles of keys. */
export interface RbacPermissionsTable {
  id: string;
  workspace_id: string;
  name: string;
  slug: string;
  description: string | null;
  created_at: Generated<Date>;
}

export interface RbacRolesTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  created_at: Generated<Date>;
}

export interface RbacRolePermissionsTable {
  role_id: string;
  permission_id: string;
}

export interface RbacKeyRolesTable {
  credential_id: string;
  role_id: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

/** A rate limit of an identity, shared by its keys (Unkey's `RatelimitResponse`; `duration` in ms). */
export interface IdentityRatelimit {
  id: string;
  name: string;
  limit: number;
  duration: number;
  autoApply: boolean;
}

export interface IdentitiesTable {
  id: Generated<string>;
  workspace_id: string;
  external_id: string;
  meta: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  ratelimits: ColumnType<IdentityRatelimit[], string, string>;
  created_at: Generated<Date>;
  updated_at: Date | null;
}

export interface RatelimitNamespacesTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  created_at: Generated<Date>;
}

export interface RatelimitOverridesTable {
  id: Generated<string>;
  namespace_id: string;
  identifier: string;
  pattern: string;
  limit: number;
  // bigint: the driver may read it as a string.
  duration_ms: ColumnType<string | number, number, number>;
  created_at: Generated<Date>;
  updated_at: Date | null;
}

export interface Schema {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  revoked_access_tokens: RevokedAccessTokensTable;
  projects: ProjectsTable;
  credentials: CredentialsTable;
  usage_counts: UsageCountsTable;
  usage_hourly: UsageHourlyTable;
  usage_daily: UsageDailyTable;
  audit_events: AuditEventsTable;
  workspaces: WorkspacesTable;
  workspace_members: WorkspaceMembersTable;
  project_members: ProjectMembersTable;
  invitations: InvitationsTable;
  root_keys: RootKeysTable;
  schema_migrations: SchemaMigrationsTable;
  webhooks: WebhooksTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  credential_expiry_notices: CredentialExpiryNoticesTable;
  verification_burst_notices: VerificationBurstNoticesTable;
  usage_threshold_notices: UsageThresholdNoticesTable;
  identities: IdentitiesTable;
  ratelimit_namespaces: RatelimitNamespacesTable;
  ratelimit_overrides: RatelimitOverridesTable;
  rbac_permissions: RbacPermissionsTable;
  rbac_roles: RbacRolesTable;
  rbac_role_permissions: RbacRolePermissionsTable;
  rbac_key_roles: RbacKeyRolesTable;
}
