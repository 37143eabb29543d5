import type { ApiKeyMetadata, ApiKeyRecord } from '../types.js';
import type { ApiKeyRow } from './typeorm-entity.js';

/**
 * keypal's record ⇄ one row of nest-api-key-auth's table. Every field with a column has its
 * column; the app's `attributes.owner`, `.environment` and `.metadata` (as `@elyzor/nest` keeps
 * nest-api-key-auth's fields) have theirs too. What has none — the keypal owner, `enabled`,
 * `rotatedTo`, resources, credits, a token bucket, other attributes — is kept in the `metadata`
 * column under one property, `$elyzor`, beside the app's own metadata.
 */
export const EXTRAS = '$elyzor';

interface Extras {
  ownerId?: string;
  enabled?: boolean;
  rotatedTo?: string | null;
  resources?: Record<string, string[]>;
  credits?: ApiKeyMetadata['credits'];
  limitKey?: string;
  rateLimit?: ApiKeyMetadata['rateLimit'];
  attributes?: Record<string, unknown>;
  /** The record came without `createdAt` (the column is required, so it holds the time of the save). */
  noCreatedAt?: true;
}

const PERIOD_OUT = { day: 'daily', month: 'monthly', year: 'yearly' } as const;
const PERIOD_IN = { daily: 'day', monthly: 'month', yearly: 'year' } as const;

/** The attributes that have a column of their own. */
const ATTRIBUTE_COLUMNS = ['owner', 'environment', 'metadata'] as const;

const dateOf = (iso: string | null | undefined): Date | null => (iso == null ? null : new Date(iso));
const isoOf = (value: unknown): string | null => {
  if (value == null) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};
const orUndefined = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `simple-array` reads an empty list back as `['']` on some drivers. */
const listOf = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : undefined);

/**
 * The columns for the metadata fields present in `metadata` (all of them for a new row; only the
 * changed ones for an update, so that two updates of different fields never overwrite each other).
 * `extras` is the stored `$elyzor` document the changes are merged into.
 */
export function columnsOf(metadata: Partial<ApiKeyMetadata>, extras: Extras, appMetadata: Record<string, unknown> | null, now: Date): { columns: Partial<ApiKeyRow>; extrasChanged: boolean } {
  const columns: Partial<ApiKeyRow> = { updatedAt: now };
  const next: Extras = { ...extras };
  const has = (field: keyof ApiKeyMetadata): boolean => Object.hasOwn(metadata, field);
  if (has('name')) columns.name = metadata.name ?? '';
  if (has('description')) columns.description = metadata.description ?? null;
  if (has('scopes')) columns.scopes = metadata.scopes ?? [];
  if (has('tags')) columns.tags = metadata.tags ?? null;
  if (has('expiresAt')) columns.expiresAt = dateOf(metadata.expiresAt);
  if (has('revokedAt')) columns.revokedAt = dateOf(metadata.revokedAt);
  if (has('lastUsedAt')) columns.lastUsedAt = dateOf(metadata.lastUsedAt);
  if (has('createdAt')) columns.createdAt = dateOf(metadata.createdAt) ?? now;
  if (has('ipAllowlist')) columns.ipWhitelist = metadata.ipAllowlist ?? null;
  if (has('ipDenylist')) columns.ipBlacklist = metadata.ipDenylist ?? null;
  if (has('revocationReason')) columns.revocationReason = metadata.revocationReason ?? null;
  if (has('keyPrefix')) columns.keyPrefix = metadata.keyPrefix ?? '';
  if (has('quota')) {
    columns.quotaMax = metadata.quota?.limit ?? null;
    columns.quotaPeriod = metadata.quota == null ? null : PERIOD_OUT[metadata.quota.period];
  }
  if (has('rateLimit')) {
    const rate = metadata.rateLimit;
    // nest-api-key-auth's columns hold a sliding window; a token bucket needs its burst too.
    const inColumns = rate != null && rate.algorithm === 'sliding_window';
    columns.rateLimitMax = inColumns ? rate.limit : null;
    columns.rateLimitWindowMs = inColumns ? rate.windowSeconds * 1000 : null;
    if (rate != null && !inColumns) next.rateLimit = rate;
    else delete next.rateLimit;
  }
  if (has('ownerId')) next.ownerId = metadata.ownerId;
  if (has('enabled')) next.enabled = metadata.enabled;
  if (has('rotatedTo')) next.rotatedTo = metadata.rotatedTo;
  if (has('resources')) next.resources = metadata.resources;
  if (has('credits')) next.credits = metadata.credits;
  if (has('limitKey')) next.limitKey = metadata.limitKey;
  let app = appMetadata;
  if (has('attributes')) {
    const attributes = metadata.attributes ?? {};
    columns.owner = typeof attributes.owner === 'string' ? attributes.owner : null;
    columns.environment = typeof attributes.environment === 'string' ? attributes.environment : null;
    app = isObject(attributes.metadata) ? attributes.metadata : null;
    const rest = Object.fromEntries(Object.entries(attributes).filter(([key]) => !(ATTRIBUTE_COLUMNS as readonly string[]).includes(key)));
    next.attributes = metadata.attributes == null ? undefined : rest;
  }
  const extrasChanged = JSON.stringify(next) !== JSON.stringify(extras) || app !== appMetadata;
  if (extrasChanged) columns.metadata = metadataColumn(app, next);
  return { columns, extrasChanged };
}

/** The `metadata` column: the app's metadata, with Elyzor's extras beside it when there are any. */
function metadataColumn(app: Record<string, unknown> | null, extras: Extras): Record<string, unknown> | null {
  const kept = Object.fromEntries(Object.entries(extras).filter(([, v]) => v !== undefined));
  if (Object.keys(kept).length === 0) return app;
  return { ...app, [EXTRAS]: kept };
}

/** The app's metadata and Elyzor's extras, as read from the `metadata` column. */
export function splitMetadata(value: unknown): { app: Record<string, unknown> | null; extras: Extras } {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!isObject(parsed)) return { app: null, extras: {} };
  const { [EXTRAS]: extras, ...app } = parsed;
  const hadApp = Object.keys(app).length > 0 || extras === undefined;
  return { app: hadApp ? app : null, extras: isObject(extras) ? (extras as Extras) : {} };
}

/** A full new row for `record`. */
export function rowOf(record: ApiKeyRecord, now: Date): Partial<ApiKeyRow> {
  const { columns } = columnsOf({ createdAt: undefined, ...record.metadata }, {}, null, now);
  const row: Partial<ApiKeyRow> = { keyPrefix: '', name: '', scopes: [], quotaUsed: 0, ...columns, id: record.id, hashedKey: record.keyHash };
  if (record.metadata.createdAt === undefined) {
    // Not an ApiKeyMetadata field: kept so that the record reads back as it was given.
    const { app, extras } = splitMetadata(row.metadata);
    row.metadata = metadataColumn(app, { ...extras, noCreatedAt: true });
  }
  return row;
}

/**
 * The record of a row. A row that nest-api-key-auth wrote has no `$elyzor` extras: its keypal
 * owner is `defaultOwnerId`, and it is enabled.
 */
export function recordOfRow(row: ApiKeyRow, defaultOwnerId: string): ApiKeyRecord {
  const { app, extras } = splitMetadata(row.metadata);
  const attributes: Record<string, unknown> = { ...extras.attributes };
  if (row.owner != null) attributes.owner = row.owner;
  if (row.environment != null) attributes.environment = row.environment;
  if (app !== null) attributes.metadata = app;
  const metadata: ApiKeyMetadata = {
    ownerId: extras.ownerId ?? defaultOwnerId,
    name: row.name,
    description: orUndefined(row.description),
    scopes: listOf(row.scopes) ?? [],
    resources: extras.resources,
    tags: listOf(row.tags),
    expiresAt: isoOf(row.expiresAt),
    createdAt: extras.noCreatedAt === true ? undefined : (isoOf(row.createdAt) ?? undefined),
    lastUsedAt: isoOf(row.lastUsedAt) ?? undefined,
    enabled: extras.enabled ?? true,
    revokedAt: isoOf(row.revokedAt),
    rotatedTo: extras.rotatedTo ?? null,
  };
  if (row.revocationReason != null) metadata.revocationReason = row.revocationReason;
  if (row.ipWhitelist != null) metadata.ipAllowlist = listOf(row.ipWhitelist) ?? [];
  if (row.ipBlacklist != null) metadata.ipDenylist = listOf(row.ipBlacklist) ?? [];
  if (extras.rateLimit != null) metadata.rateLimit = extras.rateLimit;
  else if (row.rateLimitMax != null && row.rateLimitWindowMs != null && row.rateLimitMax > 0) {
    // nest-api-key-auth counts in milliseconds; the engine's windows are whole seconds.
    metadata.rateLimit = { algorithm: 'sliding_window', limit: Number(row.rateLimitMax), windowSeconds: Math.max(1, Math.round(Number(row.rateLimitWindowMs) / 1000)) };
  }
  const period = row.quotaPeriod == null ? undefined : PERIOD_IN[row.quotaPeriod];
  if (row.quotaMax != null && row.quotaMax > 0 && period !== undefined) metadata.quota = { limit: Number(row.quotaMax), period };
  if (extras.credits != null) metadata.credits = extras.credits;
  if (extras.limitKey !== undefined) metadata.limitKey = extras.limitKey;
  if (Object.keys(attributes).length > 0 || extras.attributes !== undefined) metadata.attributes = attributes;
  if (row.keyPrefix !== '' && row.keyPrefix != null) metadata.keyPrefix = row.keyPrefix;
  return { id: String(row.id), keyHash: row.hashedKey, metadata };
}
