import type { Environment } from '../keys/key-format.js';

export type CredentialKind = 'key' | 'service';

/** Per-credential rate limit. `null` on the record means "the server default". */
export type RateLimitPolicy =
  | { algorithm: 'sliding_window'; limit: number; windowSeconds: number; /** Unkey's name of the limit (`/v2`), kept for its answers. */ name?: string; /** false: `/v2` applies it only when a verification names it. */ autoApply?: boolean }
  | { algorithm: 'token_bucket'; limit: number; windowSeconds: number; burst: number }
  | { algorithm: 'none' };

/**
 * A number of uses per calendar day, month or year (UTC) that resets on schedule. The HTTP
 * contract offers day and month; 'year' is for nest-api-key-auth's `quotaPeriod: 'yearly'`.
 */
export interface QuotaPolicy {
  limit: number;
  period: 'day' | 'month' | 'year';
}

/**
 * Prepaid credits: a balance each verification spends (its cost), optionally refilled to
 * `refill.amount` at the start of every UTC day or month. `setAt` is when the balance was last
 * set; setting it again starts a fresh count.
 */
export interface CreditsPolicy {
  remaining: number;
  refill: { amount: number; interval: 'day' | 'month' } | null;
  setAt: number;
}

/** Scopes: global grants (`read:invoices`, `admin:*`, `*`) and grants per resource (`project:123`). */
export interface ScopeGrants {
  global: readonly string[];
  resources: Readonly<Record<string, readonly string[]>>;
}

/**
 * What the verification path knows about a credential. Times are ms since the epoch.
 * `revokedAt` in the future means "still valid until then" (the overlap of a rotation).
 */
export interface CredentialRecord {
  id: string;
  projectId: string;
  kind: CredentialKind;
  environment: Environment;
  publicId: string;
  digest: string;
  /** Service name; null for API keys. */
  name: string | null;
  revokedAt: number | null;
  enabled: boolean;
  expiresAt: number | null;
  scopes: ScopeGrants;
  ipAllowlist: readonly string[];
  ipDenylist: readonly string[];
  rateLimit: RateLimitPolicy | null;
  quota: QuotaPolicy | null;
  credits: CreditsPolicy | null;
  /** Names the counters of rate limit, quota and credits; shared by a credential and its rotations. */
  limitKey: string;
  metadata: Record<string, unknown> | null;
  ownerId: string | null;
  /**
   * The names of the Unkey roles (`/v2`) the key holds, where the store keeps roles; their
   * permissions are in `scopes.global` already, beside the key's own.
   */
  roles?: readonly string[];
}

export const NO_SCOPES: ScopeGrants = Object.freeze({ global: Object.freeze([]), resources: Object.freeze({}) });
