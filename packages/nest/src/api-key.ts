/** The shapes of nest-api-key-auth's API: what `ApiKeyService` takes and returns. */

/** Where a key stands: only an `active` key passes the guard. */
export type ApiKeyState = 'active' | 'revoked' | 'expired' | 'suspended' | 'pending';

/** A quota's period, in UTC calendar days, months or years ('yearly' in local mode only). */
export type QuotaPeriod = 'daily' | 'monthly' | 'yearly';

export type KeyEnvironment = 'production' | 'staging' | 'development';

/** A stored key as the app sees it: never its hash, never the plaintext. */
export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  state: ApiKeyState;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revocationReason: string | null;
  lastUsedAt: Date | null;
  createdAt: Date | null;
  ipWhitelist: string[];
  ipBlacklist: string[];
  rateLimitMax: number | null;
  rateLimitWindowMs: number | null;
  quotaMax: number | null;
  quotaPeriod: QuotaPeriod | null;
  metadata: Record<string, unknown> | null;
  tags: string[];
  owner: string | null;
  environment: KeyEnvironment | null;
  description: string | null;
  /** Why the key was suspended, while it is. */
  suspensionReason: string | null;
}

export interface CreateApiKeyDto {
  name: string;
  scopes?: string[];
  expiresAt?: Date | string | null;
  ipWhitelist?: string[];
  ipBlacklist?: string[];
  rateLimitMax?: number;
  rateLimitWindowMs?: number;
  quotaMax?: number;
  quotaPeriod?: QuotaPeriod;
  metadata?: Record<string, unknown>;
  tags?: string[];
  owner?: string;
  environment?: KeyEnvironment;
  description?: string;
  /** The key is created `pending` and passes no guard until `KeyApprovalService.approve`. */
  requiresApproval?: boolean;
}

/** A created (or rotated-to) key, with its plaintext `token`: shown this once, never stored. */
export interface CreateApiKeyResponse extends ApiKey {
  token: string;
}

export interface RotateOptions {
  /** Revoke the old key (after `gracePeriodHours`, when given); default false: both keep working. */
  revokeOldKey?: boolean;
  /** Hours the old key keeps working when `revokeOldKey` is true; default 0. */
  gracePeriodHours?: number;
}

export interface RevokeOptions {
  reason?: string;
}
