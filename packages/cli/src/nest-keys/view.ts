import type { RateLimit } from '../flags.js';

/*
 * The seed's commands (`elyzor create|list|revoke|rotate`) act on the keys of the NestJS module
 * (`@elyzor/nest`): in its database (local mode) or in an Elyzor project (remote mode). Both
 * modes print a key alike, with nest-api-key-auth's field names, so a script reads one shape.
 */

/** Where a key stands, as the module's `ApiKey.state` says it: only `active` passes its guard. */
export type KeyState = 'active' | 'revoked' | 'expired' | 'suspended' | 'pending';

export interface KeyView {
  id: string;
  name: string;
  state: KeyState;
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  lastUsedAt: string | null;
  createdAt: string | null;
  ipWhitelist: string[];
  ipBlacklist: string[];
  rateLimitMax: number | null;
  rateLimitWindowMs: number | null;
}

/** A created or rotated-to key with its plaintext: printed this once, kept nowhere. */
export interface IssuedKeyView extends KeyView {
  token: string;
}

/** What `create` takes: the seed's key features (scopes, expiration, IP whitelisting, rate limits). */
export interface NewKey {
  name: string;
  scopes: string[];
  expiresAt?: string;
  ipWhitelist?: string[];
  ipBlacklist?: string[];
  rateLimit?: RateLimit;
}

export interface RotateRequest {
  /** Retire the old key (after `graceSeconds`); false keeps both verifying (local mode only). */
  revokeOld: boolean;
  graceSeconds: number;
}

/** The four operations, the same in both modes. */
export interface NestKeys {
  create(key: NewKey): Promise<IssuedKeyView>;
  /** Oldest first, as the module's `findAll`; revoked keys only with `all`. */
  list(options: { all: boolean }): Promise<KeyView[]>;
  revoke(id: string, reason: string | undefined): Promise<KeyView>;
  rotate(id: string, request: RotateRequest): Promise<IssuedKeyView>;
  close(): Promise<void>;
}

export const byCreation = (a: KeyView, b: KeyView): number => (a.createdAt ?? '').localeCompare(b.createdAt ?? '');
