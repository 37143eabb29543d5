import { isIP } from 'node:net';
import { validationError } from '../errors.js';
import type { CreditsPolicy, QuotaPolicy, RateLimitPolicy } from '../verify/record.js';
import type { Credential, CredentialPolicy } from './credential.js';

/**
 * A credential's policy as callers write it, and its validation. Wire schemas check shapes; this
 * checks what a schema cannot (IP syntax, metadata size, dates, coherent limits) and turns the
 * input into the stored form. Every face (HTTP, library, CLI) goes through it.
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
  /** Sliding windows only: the name a `/v2` caller gave the limit. */
  name?: string;
  /** Sliding windows only: false when `/v2` verifications apply it only by name. */
  autoApply?: boolean;
}

/** The policy as answers show it (credits without their internal `setAt`). */
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

/** A date both JavaScript and PostgreSQL represent: years 1 to 9999. */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}

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
  return { algorithm, limit: input.limit, windowSeconds: input.windowSeconds, ...(input.name !== undefined ? { name: input.name } : {}), ...(input.autoApply === false ? { autoApply: false } : {}) };
}

/** Validates a policy input and returns the stored values of the fields it sets (and only those). */
export function validatePolicy(input: PolicyInput, now: number): Partial<CredentialPolicy> {
  checkIps('ipAllowlist', input.ipAllowlist);
  checkIps('ipDenylist', input.ipDenylist);
  const policy: Partial<CredentialPolicy> = {};
  if (input.scopes !== undefined) policy.scopes = [...new Set(input.scopes)];
  if (input.resources !== undefined) policy.resources = input.resources;
  if (input.expiresAt !== undefined) {
    const at = input.expiresAt === null ? null : new Date(input.expiresAt);
    if (at !== null && !isStorableDate(at)) throw validationError('expiresAt must be an ISO 8601 date-time between the years 1 and 9999');
    policy.expiresAt = at;
  }
  if (input.enabled !== undefined) policy.enabled = input.enabled;
  if (input.metadata !== undefined) {
    if (input.metadata !== null && Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES) {
      throw validationError(`metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`);
    }
    policy.metadata = input.metadata;
  }
  if (input.tags !== undefined) policy.tags = [...new Set(input.tags)];
  if (input.ownerId !== undefined) policy.ownerId = input.ownerId;
  if (input.ipAllowlist !== undefined) policy.ipAllowlist = input.ipAllowlist;
  if (input.ipDenylist !== undefined) policy.ipDenylist = input.ipDenylist;
  if (input.rateLimit !== undefined) policy.rateLimit = input.rateLimit === null ? null : toRateLimitPolicy(input.rateLimit);
  if (input.quota !== undefined) policy.quota = input.quota;
  if (input.credits !== undefined) {
    const credits: CreditsPolicy | null =
      input.credits === null ? null : { remaining: input.credits.remaining, refill: input.credits.refill ?? null, setAt: now };
    policy.credits = credits;
  }
  return policy;
}

/** The policy of a stored credential, as answers show it. */
export function policyView(credential: Credential): PolicyView {
  const credits = credential.credits;
  return {
    scopes: credential.scopes,
    resources: credential.resources,
    expiresAt: credential.expiresAt === null ? null : credential.expiresAt.toISOString(),
    enabled: credential.enabled,
    metadata: credential.metadata,
    tags: credential.tags,
    ownerId: credential.ownerId,
    ipAllowlist: credential.ipAllowlist,
    ipDenylist: credential.ipDenylist,
    rateLimit: credential.rateLimit,
    quota: credential.quota,
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
