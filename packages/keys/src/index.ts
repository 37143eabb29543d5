/**
 * @elyzor/keys: keypal's API, on Elyzor's engine, inside your own app and database.
 * Stores: `@elyzor/keys/memory`, `/redis`, `/kysely`, `/drizzle` (+ `/drizzle/schema`), `/prisma`.
 */
export { createKeys, ApiKeyManager } from './manager.js';
export { ConfigError } from './config.js';
export { ApiKeyErrorCode, ApiKeyErrorMessages, createApiKeyError, isApiKeyError, type ApiKeyError, type ApiKeyErrorCodeValue } from './errors.js';
export { isExpired, getExpirationTime } from './expiration.js';
export { extractKeyFromHeaders, hasApiKey, type KeyExtractionOptions } from './extract-key.js';
export { hasScope, hasAnyScope, hasAllScopes, type ScopeCheckOptions } from './scopes.js';
export { ResourceBuilder, createResourceBuilder } from './resources.js';
export { MemoryCache, RedisCache, type Cache, type MemoryCacheOptions } from './cache.js';
export { MemoryStore } from './storage/memory.js';
/** Elyzor: core's limiter on Redis with the service's script, for counters of one's own (the NestJS module's endpoint limits). */
export { RedisScriptLimiter } from './limits.js';
export type { RotateOptions } from './verbs/rotate.js';
export type { RevokeOptions } from './verbs/revoke.js';
export type { ToggleOptions } from './verbs/toggle.js';
export type { UpdateChanges } from './verbs/update.js';
export type {
  ActionContext,
  ApiKeyMetadata,
  ApiKeyRecord,
  AuditAction,
  AuditLog,
  AuditLogQuery,
  AuditLogStats,
  Config,
  ConfigInput,
  CreditsOption,
  HeadersLike,
  LimitState,
  QuotaOption,
  RateLimitOption,
  RedisLike,
  Storage,
  StorageOptions,
  VerifyLimits,
  VerifyOptions,
  VerifyResult,
} from './types.js';

/** keypal's names for the permission types. */
export type PermissionScope = string;
export interface Permission {
  scope: PermissionScope;
  description?: string;
}
