import type {
  AuditEvent as AuditEventSchema,
  AuditQuery as AuditQuerySchema,
  AuthResult as AuthResultSchema,
  CreateWebhookBody as CreateWebhookBodySchema,
  InvitationBody as InvitationBodySchema,
  Invitation as InvitationSchema,
  IssuedInvitation as IssuedInvitationSchema,
  IssuedRootKey as IssuedRootKeySchema,
  MemberBody as MemberBodySchema,
  Member as MemberSchema,
  ProjectMemberBody as ProjectMemberBodySchema,
  ProjectMember as ProjectMemberSchema,
  ProjectRole as ProjectRoleSchema,
  Role as RoleSchema,
  RootKeyBody as RootKeyBodySchema,
  RootKey as RootKeySchema,
  UpdateWebhookBody as UpdateWebhookBodySchema,
  WebhookAttempt as WebhookAttemptSchema,
  WebhookDelivery as WebhookDeliverySchema,
  WebhookEventType,
  Webhook as WebhookSchema,
  WebhookTestQueued as WebhookTestQueuedSchema,
  WebhookWithSecret as WebhookWithSecretSchema,
  WorkspaceBody as WorkspaceBodySchema,
  Workspace as WorkspaceSchema,
  CreateKeyBody as CreateKeyBodySchema,
  CreateServiceBody as CreateServiceBodySchema,
  Health as HealthSchema,
  IssuedKey as IssuedKeySchema,
  IssuedService as IssuedServiceSchema,
  Key as KeySchema,
  KeyWithUsage as KeyWithUsageSchema,
  ListQuery as ListQuerySchema,
  PageQuery as PageQuerySchema,
  Project as ProjectSchema,
  ProjectBody as ProjectBodySchema,
  RevokeBody as RevokeBodySchema,
  RotateBody as RotateBodySchema,
  Service as ServiceSchema,
  ServiceWithUsage as ServiceWithUsageSchema,
  Stats as StatsSchema,
  UpdateKeyBody as UpdateKeyBodySchema,
  UpdateServiceBody as UpdateServiceBodySchema,
  UsageSeries as UsageSeriesSchema,
  User as UserSchema,
  VerifyBody as VerifyBodySchema,
  VerifyFailure as VerifyFailureSchema,
  VerifyOutcome,
  VerifySuccessKey as VerifySuccessKeySchema,
  VerifySuccessService as VerifySuccessServiceSchema,
} from '@elyzor/contract';
import type { Static } from 'typebox';

/*
 * The shapes of answers and bodies come from the wire contract (`@elyzor/contract`), the same
 * schemas the server validates and serializes with: a change of a shape there breaks the SDK's
 * type-check, not its users.
 */
export type User = Static<typeof UserSchema>;
export type AuthResult = Static<typeof AuthResultSchema>;
export type Project = Static<typeof ProjectSchema>;
export type ProjectBody = Static<typeof ProjectBodySchema>;
export type PageQuery = Static<typeof PageQuerySchema>;
export type Key = Static<typeof KeySchema>;
export type IssuedKey = Static<typeof IssuedKeySchema>;
export type KeyWithUsage = Static<typeof KeyWithUsageSchema>;
export type Service = Static<typeof ServiceSchema>;
export type IssuedService = Static<typeof IssuedServiceSchema>;
export type ServiceWithUsage = Static<typeof ServiceWithUsageSchema>;
export type CreateKeyBody = Static<typeof CreateKeyBodySchema>;
export type CreateServiceBody = Static<typeof CreateServiceBodySchema>;
export type UpdateKeyBody = Static<typeof UpdateKeyBodySchema>;
export type UpdateServiceBody = Static<typeof UpdateServiceBodySchema>;
export type RevokeBody = Static<typeof RevokeBodySchema>;
export type RotateBody = Static<typeof RotateBodySchema>;
export type ListQuery = Static<typeof ListQuerySchema>;
export type UsageSeries = Static<typeof UsageSeriesSchema>;
export type AuditEvent = Static<typeof AuditEventSchema>;
export type AuditQuery = Static<typeof AuditQuerySchema>;
export type Stats = Static<typeof StatsSchema>;
export type Health = Static<typeof HealthSchema>;
export type VerifyOptions = Static<typeof VerifyBodySchema>;
export type VerifySuccessKey = Static<typeof VerifySuccessKeySchema>;
export type VerifySuccessService = Static<typeof VerifySuccessServiceSchema>;
/** A refusal, exactly as the API answers it; `error` is one of the contract's outcomes. */
export type VerifyFailure = Static<typeof VerifyFailureSchema> & { error: Exclude<VerifyOutcome, 'valid'> };
export type { VerifyOutcome };

export type VerifyKeyResult = VerifySuccessKey | VerifyFailure;
export type VerifyServiceResult = VerifySuccessService | VerifyFailure;

/** A list's query without the cursor, which the page iterators manage. */
export type ListFilters = Omit<ListQuery, 'cursor'>;
export type AuditFilters = Omit<AuditQuery, 'cursor' | 'format'>;

/* Workspaces, members, invitations, root keys and webhooks. */
export type Role = Static<typeof RoleSchema>;
export type ProjectRole = Static<typeof ProjectRoleSchema>;
export type Workspace = Static<typeof WorkspaceSchema>;
export type WorkspaceBody = Static<typeof WorkspaceBodySchema>;
export type Member = Static<typeof MemberSchema>;
export type MemberBody = Static<typeof MemberBodySchema>;
export type ProjectMember = Static<typeof ProjectMemberSchema>;
export type ProjectMemberBody = Static<typeof ProjectMemberBodySchema>;
export type Invitation = Static<typeof InvitationSchema>;
/** The answer to creating or resending an invitation: the single-use token, shown once. */
export type IssuedInvitation = Static<typeof IssuedInvitationSchema>;
export type InvitationBody = Static<typeof InvitationBodySchema>;
export type RootKey = Static<typeof RootKeySchema>;
/** A root key with its plaintext (`rk_live_<publicId>.<secret>`), shown once. */
export type IssuedRootKey = Static<typeof IssuedRootKeySchema>;
export type CreateRootKeyBody = Static<typeof RootKeyBodySchema>;
export type { WebhookEventType };
export type Webhook = Static<typeof WebhookSchema>;
/** A webhook with its signing secret (`whsec_<base64>`), shown once. */
export type IssuedWebhook = Static<typeof WebhookWithSecretSchema>;
export type CreateWebhookBody = Static<typeof CreateWebhookBodySchema>;
export type UpdateWebhookBody = Static<typeof UpdateWebhookBodySchema>;
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;
export type WebhookAttempt = Static<typeof WebhookAttemptSchema>;
export type WebhookTestQueued = Static<typeof WebhookTestQueuedSchema>;
