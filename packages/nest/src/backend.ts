import type { ApiKey, CreateApiKeyDto, CreateApiKeyResponse, RevokeOptions, RotateOptions } from './api-key.js';

/** Why the guard refuses a request; each maps to one status in `refusals.ts`. */
export type RefusalCode =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'key_expired'
  | 'key_revoked'
  | 'key_suspended'
  | 'key_pending'
  | 'ip_not_allowed'
  | 'insufficient_scope'
  | 'rate_limit_exceeded'
  | 'quota_exceeded'
  | 'endpoint_rate_limit_exceeded'
  | 'service_unavailable';

export type Verdict =
  | { ok: true; apiKey: ApiKey }
  | { ok: false; code: RefusalCode; retryAfterMs?: number; missingScopes?: string[] };

export interface VerifyContext {
  /** The caller's address, checked against the key's IP rules. */
  ip?: string;
  /** Scopes the route requires; a remote backend checks them in the same call. */
  scopes?: string[];
}

/**
 * Where keys live: `local` (the app's database, through `@elyzor/keys`) or `remote` (an Elyzor
 * service, through `@elyzor/sdk`). `ApiKeyService` validates its input and calls one of these.
 */
export interface ApiKeyBackend {
  create(dto: CreateApiKeyDto): Promise<CreateApiKeyResponse>;
  /** null when there is no such key. */
  findById(id: string): Promise<ApiKey | null>;
  findAll(): Promise<ApiKey[]>;
  revoke(id: string, options: RevokeOptions): Promise<ApiKey>;
  rotate(id: string, options: RotateOptions): Promise<CreateApiKeyResponse>;
  verify(token: string, context: VerifyContext): Promise<Verdict>;
  /** Stops a key passing (403) until `release`: suspended, or pending approval. */
  hold(id: string, hold: 'pending' | 'suspended', reason?: string): Promise<ApiKey>;
  release(id: string): Promise<ApiKey>;
  /** Called when the module starts: opens what was deferred, so that a bad option fails the start. */
  ready?(): Promise<void>;
  /** Undoes a revocation (not a rotation's): the key passes again with its old token. */
  restore(id: string): Promise<ApiKey>;
  /** Replaces the key's IP rules (either list, or both); the guard applies them from the next request. */
  setIpRules(id: string, rules: IpRules): Promise<ApiKey>;
  /** The last expiration notice sent for the key: a threshold in days, or 'expired'; null when none. */
  expiryNotice(id: string): Promise<ExpiryNotice | null>;
  markExpiryNotice(id: string, notice: ExpiryNotice): Promise<void>;
}

export interface IpRules {
  ipWhitelist?: string[];
  ipBlacklist?: string[];
}

export type ExpiryNotice = number | 'expired';
