import type {
  AuditEvent as AuditEventSchema,
  AuditQuery as AuditQuerySchema,
  AuthResult as AuthResultSchema,
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

/*
 * Workspaces, members, invitations, root keys and webhooks: the endpoints of the "Teams and
 * roles, root keys, signed webhooks" work, typed here until their schemas are in the contract
 * (then these become `Static<typeof …>` like the rest).
 */
export type Role = 'owner' | 'admin' | 'developer' | 'viewer';

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
  [field: string]: unknown;
}

export interface Member {
  userId: string;
  email: string;
  role: Role;
  [field: string]: unknown;
}

export interface ProjectMember {
  projectId: string;
  userId: string;
  role: Role;
  [field: string]: unknown;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  [field: string]: unknown;
}

/** The answer to creating an invitation: the single-use token, shown once. */
export interface IssuedInvitation extends Invitation {
  token: string;
}

export interface RootKey {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  expiresAt: string | null;
  createdAt: string;
  [field: string]: unknown;
}

/** A root key with its plaintext (`rk_live_<publicId>.<secret>`), shown once. */
export interface IssuedRootKey extends RootKey {
  key: string;
}

export interface CreateRootKeyBody {
  name: string;
  permissions: string[];
  expiresAt?: string | null;
}

export type WebhookEvent =
  | 'key.created'
  | 'key.updated'
  | 'key.rotated'
  | 'key.revoked'
  | 'key.disabled'
  | 'key.expiring'
  | 'key.expired'
  | 'service.created'
  | 'service.updated'
  | 'service.rotated'
  | 'service.revoked'
  | 'service.disabled'
  | 'service.expiring'
  | 'service.expired'
  | 'usage.quota_threshold'
  | 'verification.failure_burst'
  | 'member.added'
  | 'member.removed';

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  [field: string]: unknown;
}

/** A webhook with its signing secret (`whsec_<base64>`), shown once. */
export interface IssuedWebhook extends Webhook {
  secret: string;
}

export interface CreateWebhookBody {
  url: string;
  events: WebhookEvent[];
  description?: string;
}

export type UpdateWebhookBody = Partial<CreateWebhookBody> & { enabled?: boolean };

export interface WebhookDelivery {
  id: string;
  event: string;
  status: string;
  attempts?: number;
  [field: string]: unknown;
}
