import { isIP } from 'node:net';
import { validationError, type CreditsPolicy, type QuotaPolicy, type RateLimitPolicy } from '@elyzor/core';
import type { CredentialRow } from '../store/credentials.js';
import { isStorableDate } from '../store/page.js';

/**
 * A credential's policy as the API reads and writes it, and its translation to and from the
 * `credentials` columns. The JSON schema (http/schemas.ts) checks shapes; this file checks what
 * a schema cannot (IP syntax, metadata size, coherent limits) and converts.
 */
export interface PolicyInput {
  scopes?: string[];
  resources?: Record<string, string[]>;
  expiresAt?: string | null;
  enabled?: boolean;
  metadata?: Record<string, unknown> | null;
  tags?: string[];
  ownerId?: string | null;
  ipAllowlist?: string[];
  ipDenylist?: string[];
  rateLimit?: RateLimitInput | null;
  quota?: QuotaPolicy | null;
  credits?: { remaining: number; refill?: { amount: number; interval: 'day' | 'month' } | null } | null;
}

export interface RateLimitInput {
  algorithm?: 'sliding_window' | 'token_bucket' | 'none';
  limit?: number;
  windowSeconds?: number;
  burst?: number;
}

export interface PolicyView {
  scopes: string[];
  resources: Record<string, string[]>;
  expiresAt: string | null;
  enabled: boolean;
  metadata: Record<string, unknown> | null;
  tags: string[];
  ownerId: string | null;
  ipAllowlist: string[];
  ipDenylist: string[];
  rateLimit: RateLimitPolicy | null;
  quota: QuotaPolicy | null;
  credits: { remaining: number; refill: { amount: number; interval: 'day' | 'month' } | null } | null;
}

export const MAX_METADATA_BYTES = 4096;

/** An IPv4/IPv6 address or CIDR range with a prefix length that fits its family. */
export function isIpOrCidr(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  if (address === undefined || extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function checkIps(field: string, entries: string[] | undefined): void {
  const bad = entries?.find((entry) => !isIpOrCidr(entry));
  if (bad !== undefined) throw validationError(`${field} has an entry that is not an IP address or CIDR range: ${JSON.stringify(bad).slice(0, 80)}`);
}

export function toRateLimitPolicy(input: RateLimitInput): RateLimitPolicy {
  const algorithm = input.algorithm ?? 'sliding_window';
  if (algorithm === 'none') return { algorithm: 'none' };
  if (input.limit === undefined || input.windowSeconds === undefined) {
    throw validationError('rateLimit needs limit and windowSeconds (or algorithm "none")');
  }
  if (algorithm === 'token_bucket') return { algorithm, limit: input.limit, windowSeconds: input.windowSeconds, burst: input.burst ?? input.limit };
  if (input.burst !== undefined) throw validationError('rateLimit.burst applies to the token_bucket algorithm only');
  return { algorithm, limit: input.limit, windowSeconds: input.windowSeconds };
}

type PolicyColumns = Partial<
  Pick<
    Record<keyof CredentialRow, string | boolean | Date | null>,
    | 'scopes'
    | 'resource_scopes'
    | 'expires_at'
    | 'enabled'
    | 'metadata'
    | 'tags'
    | 'owner_id'
    | 'ip_allowlist'
    | 'ip_denylist'
    | 'rate_limit'
    | 'quota'
    | 'credits'
  >
>;

const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/** Validates a policy input and turns it into column values; only the fields given are set. */
export function policyColumns(input: PolicyInput, now: number): PolicyColumns {
  checkIps('ipAllowlist', input.ipAllowlist);
  checkIps('ipDenylist', input.ipDenylist);
  const columns: PolicyColumns = {};
  if (input.scopes !== undefined) columns.scopes = json([...new Set(input.scopes)]);
  if (input.resources !== undefined) columns.resource_scopes = json(input.resources);
  if (input.expiresAt !== undefined) {
    const at = input.expiresAt === null ? null : new Date(input.expiresAt);
    if (at !== null && !isStorableDate(at)) throw validationError('expiresAt must be an ISO 8601 date-time between the years 1 and 9999');
    columns.expires_at = at;
  }
  if (input.enabled !== undefined) columns.enabled = input.enabled;
  if (input.metadata !== undefined) {
    if (input.metadata !== null && Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES) {
      throw validationError(`metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`);
    }
    columns.metadata = json(input.metadata);
  }
  if (input.tags !== undefined) columns.tags = json([...new Set(input.tags)]);
  if (input.ownerId !== undefined) columns.owner_id = input.ownerId;
  if (input.ipAllowlist !== undefined) columns.ip_allowlist = json(input.ipAllowlist);
  if (input.ipDenylist !== undefined) columns.ip_denylist = json(input.ipDenylist);
  if (input.rateLimit !== undefined) columns.rate_limit = input.rateLimit === null ? null : json(toRateLimitPolicy(input.rateLimit));
  if (input.quota !== undefined) columns.quota = json(input.quota);
  if (input.credits !== undefined) {
    const credits: CreditsPolicy | null =
      input.credits === null ? null : { remaining: input.credits.remaining, refill: input.credits.refill ?? null, setAt: now };
    columns.credits = json(credits);
  }
  return columns;
}

/** The policy of a stored credential, as responses show it. */
export function policyView(row: CredentialRow): PolicyView {
  const credits = row.credits as CreditsPolicy | null;
  return {
    scopes: row.scopes,
    resources: row.resource_scopes,
    expiresAt: row.expires_at === null ? null : row.expires_at.toISOString(),
    enabled: row.enabled,
    metadata: row.metadata,
    tags: row.tags,
    ownerId: row.owner_id,
    ipAllowlist: row.ip_allowlist,
    ipDenylist: row.ip_denylist,
    rateLimit: row.rate_limit as RateLimitPolicy | null,
    quota: row.quota as QuotaPolicy | null,
    credits: credits === null ? null : { remaining: credits.remaining, refill: credits.refill },
  };
}

/** What changed between two views, field by field, for the audit log. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[field] ?? null;
    const is = after[field] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(is)) changes[field] = { before: was, after: is };
  }
  return changes;
}
