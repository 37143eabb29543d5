import type { Cache } from './cache.js';

/** The shape keypal stores, unchanged: one row of `{ id, keyHash, metadata }`. */
export interface ApiKeyRecord {
  id: string;
  keyHash: string;
  metadata: ApiKeyMetadata;
}

/**
 * What a key carries. The first block is keypal's; the second holds Elyzor's optional extras,
 * kept in the same `metadata` document so that a keypal database needs no migration.
 */
export interface ApiKeyMetadata {
  ownerId: string;
  name?: string;
  description?: string;
  scopes?: string[];
  /** Resource-specific scopes, e.g. `{ "project:123": ["read", "write"] }`. */
  resources?: Record<string, string[]>;
  tags?: string[];
  expiresAt: string | null;
  createdAt?: string;
  lastUsedAt?: string;
  enabled?: boolean;
  /** When the key stopped (or, during a rotation's grace period, stops) verifying. */
  revokedAt?: string | null;
  rotatedTo?: string | null;

  /** Elyzor: requests per window, as a sliding window or a token bucket. */
  rateLimit?: RateLimitOption | null;
  /** Elyzor: uses per calendar day, month or year (UTC). */
  quota?: QuotaOption | null;
  /** Elyzor: a balance that each verification spends, optionally refilled every day or month. */
  credits?: CreditsOption | null;
  /** Elyzor: addresses and CIDR ranges allowed to use the key; empty or absent allows all. */
  ipAllowlist?: string[];
  /** Elyzor: addresses and CIDR ranges never allowed; wins over the allow list. */
  ipDenylist?: string[];
  /** Elyzor: names the counters of rate limit, quota and credits; a rotation keeps its predecessor's. */
  limitKey?: string;
  /** Elyzor: why the key was revoked, as given to `revoke(id, context, { reason })`. */
  revocationReason?: string | null;
  /** Elyzor: the app's own fields (a JSON object), stored as given and inherited by a rotation. */
  attributes?: Record<string, unknown> | null;
  /**
   * Elyzor: the key's first 8 characters, set only when the config's `algorithm` is 'bcrypt' or
   * 'argon2': a salted digest cannot be looked up, so `verify` finds the candidates by prefix
   * (`Storage.findByKeyPrefix`) and checks each (nest-api-key-auth's `keyPrefix`).
   */
  keyPrefix?: string;
}

export type RateLimitOption =
  | { algorithm: 'sliding_window'; limit: number; windowSeconds: number }
  | { algorithm: 'token_bucket'; limit: number; windowSeconds: number; burst: number };

export interface QuotaOption {
  limit: number;
  /** A UTC calendar day, month or year ('year' is the library's own, for nest-api-key-auth's 'yearly'; the Elyzor service counts per day or month). */
  period: 'day' | 'month' | 'year';
}

export interface CreditsOption {
  /** The balance as set at `setAt` (ISO date; set by `create` when absent). */
  remaining: number;
  refill?: { amount: number; interval: 'day' | 'month' } | null;
  setAt?: string;
}

/** keypal's actions, and Elyzor's: `updated` and `restored` (verbs), `request` (an app's request log, e.g. @elyzor/nest's). */
export type AuditAction = 'created' | 'revoked' | 'rotated' | 'enabled' | 'disabled' | 'updated' | 'restored' | 'request';

/** Who did something, and why; merged over the configured `auditContext`. */
export interface ActionContext {
  userId?: string;
  ip?: string;
  userAgent?: string;
  metadata?: Record<string, unknown>;
}

export interface AuditLog {
  id: string;
  action: AuditAction;
  keyId: string;
  ownerId: string;
  timestamp: string;
  data?: Record<string, unknown>;
}

export interface AuditLogQuery {
  keyId?: string;
  ownerId?: string;
  action?: AuditAction;
  startDate?: string;
  endDate?: string;
  limit?: number;
  offset?: number;
}

export interface AuditLogStats {
  total: number;
  byAction: Partial<Record<AuditAction, number>>;
  lastActivity: string | null;
}

/**
 * keypal's storage interface: implement it to keep keys anywhere. The audit-log methods are
 * optional; without them the log queries answer STORAGE_NOT_SUPPORTED.
 */
export interface Storage {
  save(record: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  findById(id: string): Promise<ApiKeyRecord | null>;
  findByOwner(ownerId: string): Promise<ApiKeyRecord[]>;
  findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]>;
  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]>;
  updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void>;
  delete(id: string): Promise<void>;
  deleteByOwner(ownerId: string): Promise<void>;
  saveLog?(log: AuditLog): Promise<void>;
  findLogs?(query: AuditLogQuery): Promise<AuditLog[]>;
  countLogs?(query: AuditLogQuery): Promise<number>;
  deleteLogs?(query: AuditLogQuery): Promise<number>;
  getLogStats?(ownerId: string): Promise<AuditLogStats>;
  /**
   * Optional (the library's stores have it): calls `listener` with the digest of every key this
   * store instance changes or deletes, so a manager's cache forgets it at once.
   */
  onChange?(listener: (keyHash: string) => void): () => void;
  /**
   * Optional: true when the data lives in this process and changes only through this instance
   * (the memory store), so that `onChange` reports every change and a cached record can be
   * trusted as it is. Any other store may be changed by another process or by SQL, so a
   * manager's cache hit reads the record again by id (the cache spares the digest lookup only).
   */
  readonly inProcess?: boolean;
  /**
   * Optional: the records whose `metadata.keyPrefix` is `prefix`. Required by the config's
   * `algorithm: 'bcrypt' | 'argon2'`, whose salted digests cannot be looked up by value.
   */
  findByKeyPrefix?(prefix: string): Promise<ApiKeyRecord[]>;
  /** Optional: a new record id of the store's own form (a uuid for a table with uuid ids); default 21 URL-safe characters. */
  newId?(): string;
}

export interface StorageOptions {
  ttl?: number;
}

/** The ioredis client surface the library uses; an `ioredis` `Redis` instance has it. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  setex(key: string, seconds: number, value: string): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  incrby(key: string, increment: number): Promise<number>;
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

export interface ConfigInput {
  /** Prepended to every generated key; a presented key without it is INVALID_FORMAT. */
  prefix?: string;
  /** Random characters after the prefix; default 32. */
  length?: number;
  /** Characters to draw from; default base62. */
  alphabet?: string;
  /**
   * 'sha256' (default) or 'sha512': the hex digest of the key, looked up by value. Elyzor:
   * 'bcrypt' or 'argon2' (argon2id) for databases whose keys were hashed so, as nest-api-key-auth
   * does; new keys are hashed the same way and stored with their `keyPrefix`, and `verify` finds
   * them by prefix. Needs `bcryptjs` or `@node-rs/argon2` installed, and a storage with
   * `findByKeyPrefix`; a cache is not used for these keys (a salted digest cannot name an entry).
   */
  algorithm?: 'sha256' | 'sha512' | 'bcrypt' | 'argon2';
  /** Elyzor: the bcrypt cost of new keys' digests, with `algorithm: 'bcrypt'`, 4 to 31; default 10. */
  bcryptRounds?: number;
  salt?: string;
  storage?: Storage | 'memory' | 'redis';
  /** An ioredis client; required when `storage` or `cache` is 'redis'. */
  redis?: RedisLike;
  cache?: Cache | boolean | 'redis';
  /** Seconds a verified key stays cached; default 60. */
  cacheTtl?: number;
  /** Seconds a revoked key is kept in Redis storage; 0 keeps it forever. Default 7 days. */
  revokedKeyTtl?: number;
  /** Update `lastUsedAt` (and the usage count) on every successful verify; default true. */
  autoTrackUsage?: boolean;
  auditLogs?: boolean;
  auditContext?: ActionContext;
  headerNames?: string[];
  extractBearer?: boolean;

  /**
   * Elyzor: 'keypal' (default) is prefix + random characters; 'elyzor' is Elyzor's checksummed
   * format, `sk_live_<id>.<secret>`, whose mistyped or made-up keys are rejected before any
   * lookup. Both are stored and hashed the same way.
   */
  keyFormat?: 'keypal' | 'elyzor';
  /** Elyzor: the environment part of 'elyzor' keys; default 'live'. */
  environment?: 'live' | 'test';
  /** Elyzor: where rate limits, quotas and credits count; default 'redis' with Redis storage, else 'memory'. */
  limits?: 'memory' | 'redis';
  /** Elyzor: seconds a rotated key keeps verifying after `rotate`; default 0 (revoked at once). */
  rotationGracePeriod?: number;
  /** Elyzor: treat `*` and `<part>:*` scopes as wildcards, as the Elyzor service does; default false (exact match, as keypal). */
  scopeWildcards?: boolean;
  /** Elyzor: the time source (ms since the epoch); for tests. */
  clock?: { now(): number };
}

export type Config = ConfigInput;

export interface VerifyOptions {
  headerNames?: string[];
  extractBearer?: boolean;
  skipCache?: boolean;
  skipTracking?: boolean;
  /** Elyzor: the caller's address, checked against the key's IP rules. */
  ip?: string;
  /** Elyzor: what this request spends of rate limit, quota and credits; default 1. */
  cost?: number;
}

/** Remaining allowance of one limit after a verification. */
export interface LimitState {
  limit: number;
  remaining: number;
  /** ISO time at which the limit is fully available again. */
  resetAt: string;
}

/**
 * keypal's result shape (`valid`, `record`, `error`, `errorCode`), as a union so that after
 * `if (result.valid)` TypeScript knows `result.record` is there, as keypal's samples assume.
 */
export type VerifyResult =
  | {
      valid: true;
      record: ApiKeyRecord;
      error?: undefined;
      errorCode?: undefined;
      retryAfterMs?: undefined;
      /** Elyzor: the key's limits as they stand after this request, when it has any. */
      limits?: VerifyLimits;
    }
  | {
      valid: false;
      record?: undefined;
      /** Human-readable. */
      error: string;
      errorCode: ApiKeyErrorCodeValue;
      /** Elyzor: how long to wait before retrying, when a limit refused the request. */
      retryAfterMs?: number;
      limits?: VerifyLimits;
    };

export interface VerifyLimits {
  rateLimit?: LimitState;
  quota?: LimitState;
  credits?: LimitState;
}

export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

import type { ApiKeyErrorCodeValue } from './errors.js';
