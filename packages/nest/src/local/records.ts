import type { ApiKeyMetadata, ApiKeyRecord } from '@elyzor/keys';
import type { ApiKey, ApiKeyState, CreateApiKeyDto, KeyEnvironment, QuotaPeriod } from '../api-key.js';
import { policyOf } from '../policy.js';

/**
 * The fields of nest-api-key-auth's schema that the library has no column for live in the
 * record's `attributes`: the app's own document, stored as given and inherited by a rotation.
 */
export interface NestAttributes {
  owner?: string;
  environment?: KeyEnvironment;
  metadata?: Record<string, unknown>;
  /** Why a disabled key is disabled: waiting for approval, or suspended. */
  hold?: 'pending' | 'suspended';
  suspensionReason?: string;
  /** The last expiration notice sent (a threshold in days, or 'expired'), so that each goes once. */
  expiryNotice?: number | 'expired';
}

/** Every key the module creates has this library owner: `findAll` lists it (the app's `owner` is an attribute). */
export const NEST_OWNER = 'elyzor-nest';

const QUOTA_OUT: Record<'day' | 'month' | 'year', QuotaPeriod> = { day: 'daily', month: 'monthly', year: 'yearly' };

const date = (iso: string | null | undefined): Date | null => (iso == null ? null : new Date(iso));

function stateOf(metadata: ApiKeyMetadata, attributes: NestAttributes, now: number): ApiKeyState {
  if (metadata.revokedAt != null && Date.parse(metadata.revokedAt) <= now) return 'revoked';
  if (metadata.expiresAt != null && Date.parse(metadata.expiresAt) <= now) return 'expired';
  if (metadata.enabled === false) return attributes.hold ?? 'suspended';
  return 'active';
}

/** A stored record as the app sees it: no digest, nest-api-key-auth's field names. */
export function toApiKey(record: ApiKeyRecord, now: number): ApiKey {
  const { metadata } = record;
  const attributes = (metadata.attributes ?? {}) as NestAttributes;
  const rate = metadata.rateLimit;
  return {
    id: record.id,
    name: metadata.name ?? '',
    scopes: metadata.scopes ?? [],
    state: stateOf(metadata, attributes, now),
    expiresAt: date(metadata.expiresAt),
    revokedAt: date(metadata.revokedAt),
    revocationReason: metadata.revocationReason ?? null,
    lastUsedAt: date(metadata.lastUsedAt),
    createdAt: date(metadata.createdAt),
    ipWhitelist: metadata.ipAllowlist ?? [],
    ipBlacklist: metadata.ipDenylist ?? [],
    rateLimitMax: rate?.limit ?? null,
    rateLimitWindowMs: rate == null ? null : rate.windowSeconds * 1000,
    quotaMax: metadata.quota?.limit ?? null,
    quotaPeriod: metadata.quota == null ? null : QUOTA_OUT[metadata.quota.period],
    metadata: attributes.metadata ?? null,
    tags: metadata.tags ?? [],
    owner: attributes.owner ?? null,
    environment: attributes.environment ?? null,
    description: metadata.description ?? null,
    suspensionReason: attributes.hold === 'suspended' ? (attributes.suspensionReason ?? null) : null,
  };
}

/** A (validated) create request as the library's metadata. */
export function toMetadata(dto: CreateApiKeyDto, pending: boolean): Partial<ApiKeyMetadata> {
  const attributes: NestAttributes = {};
  if (dto.owner !== undefined) attributes.owner = dto.owner;
  if (dto.environment !== undefined) attributes.environment = dto.environment;
  if (dto.metadata !== undefined) attributes.metadata = dto.metadata;
  if (pending) attributes.hold = 'pending';
  const metadata: Partial<ApiKeyMetadata> = {
    ownerId: NEST_OWNER,
    name: dto.name,
    scopes: dto.scopes ?? [],
    expiresAt: dto.expiresAt == null ? null : new Date(dto.expiresAt).toISOString(),
    enabled: !pending,
    attributes: { ...attributes },
    ...policyOf(dto),
  };
  if (dto.description !== undefined) metadata.description = dto.description;
  return metadata;
}
