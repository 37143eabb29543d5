import { systemClock, type Clock } from '@elyzor/core';
import { MemoryCache, RedisCache, type Cache } from './cache.js';
import { DEFAULT_HEADER_NAMES } from './extract-key.js';
import { createHasher, DEFAULT_ALPHABET, DEFAULT_LENGTH, elyzorFormat, keypalFormat, type Hasher, type KeyFormat } from './key.js';
import { memoryLimiter, RedisScriptLimiter } from './limits.js';
import type { Limiter } from '@elyzor/core';
import { MemoryStore } from './storage/memory.js';
import { RedisStore, type RedisStoreOptions } from './storage/redis.js';
import type { ActionContext, ConfigInput, RedisLike, Storage } from './types.js';
import { MemoryUsage, RedisUsage, type UsageCounter } from './usage.js';
import { createSlowHash, KEY_PREFIX_LENGTH, MIN_HIDDEN_CHARACTERS, type SlowHash } from './slow-hash.js';

/** Everything a manager needs, built once from a validated config. */
export interface Resolved {
  format: KeyFormat;
  hash: Hasher;
  /** Set with `algorithm: 'bcrypt' | 'argon2'`: keys are found by prefix and checked against a salted digest. */
  slow: SlowHash | null;
  storage: Storage;
  /** The cache, when on; `memory` is set when it is the library's MemoryCache (objects kept as they are). */
  cache: Cache | null;
  memory: MemoryCache | null;
  cacheTtl: number;
  revokedKeyTtl: number;
  autoTrackUsage: boolean;
  auditLogs: boolean;
  auditContext: ActionContext | undefined;
  headerNames: string[];
  extractBearer: boolean;
  limiter: Limiter;
  usage: UsageCounter;
  rotationGracePeriod: number;
  scopeWildcards: boolean;
  clock: Clock;
}

const KNOWN = new Set<string>([
  'prefix', 'length', 'alphabet', 'algorithm', 'bcryptRounds', 'salt', 'storage', 'redis', 'cache', 'cacheTtl', 'revokedKeyTtl',
  'autoTrackUsage', 'auditLogs', 'auditContext', 'headerNames', 'extractBearer',
  'keyFormat', 'environment', 'limits', 'rotationGracePeriod', 'scopeWildcards', 'clock',
]);

const STORAGE_METHODS = ['save', 'findByHash', 'findById', 'findByOwner', 'findByTags', 'findByTag', 'updateMetadata', 'delete', 'deleteByOwner'] as const;

/** Thrown by `createKeys` for a malformed config; the message names the option. */
export class ConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`createKeys: option "${option}" ${message}`);
    this.name = 'ConfigError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function check(condition: boolean, option: string, message: string): void {
  if (!condition) throw new ConfigError(option, message);
}

function optional(config: Record<string, unknown>, option: string, test: (value: unknown) => boolean, message: string): void {
  const value = config[option];
  if (value !== undefined) check(test(value), option, message);
}

const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isFiniteNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function isRedis(value: unknown): value is RedisLike {
  return isObject(value) && ['get', 'set', 'setex', 'del', 'defineCommand'].every((m) => typeof value[m] === 'function');
}

/** Validates `input` (throwing a ConfigError that names the bad option) and builds its parts. */
export function resolveConfig(input: ConfigInput): Resolved {
  check(isObject(input), 'config', 'must be an object');
  const config = input as Record<string, unknown>;
  for (const key of Object.keys(config)) check(KNOWN.has(key), key, 'is not an option of createKeys');

  optional(config, 'prefix', (v) => typeof v === 'string', 'must be a string');
  optional(config, 'length', (v) => Number.isInteger(v) && (v as number) >= 8 && (v as number) <= 256, 'must be an integer from 8 to 256');
  optional(
    config,
    'alphabet',
    (v) => typeof v === 'string' && new Set(v).size === v.length && v.length >= 2 && v.length <= 256,
    'must be a string of at least 2 distinct characters',
  );
  optional(config, 'algorithm', (v) => v === 'sha256' || v === 'sha512' || v === 'bcrypt' || v === 'argon2', "must be 'sha256', 'sha512', 'bcrypt' or 'argon2'");
  optional(config, 'bcryptRounds', (v) => Number.isInteger(v) && (v as number) >= 4 && (v as number) <= 31, 'must be an integer from 4 to 31');
  const slowAlgorithm = input.algorithm === 'bcrypt' || input.algorithm === 'argon2' ? input.algorithm : null;
  check(input.bcryptRounds === undefined || input.algorithm === 'bcrypt', 'bcryptRounds', "applies only to algorithm 'bcrypt'");
  // A salted digest carries its own salt; a pepper on top would make the stored digests unreadable to their original tool.
  check(slowAlgorithm === null || input.salt === undefined, 'salt', `cannot be set with algorithm '${String(slowAlgorithm)}'`);
  optional(config, 'salt', (v) => typeof v === 'string', 'must be a string');
  optional(config, 'cacheTtl', (v) => isFiniteNonNegative(v) && (v as number) > 0, 'must be a positive number of seconds');
  optional(config, 'revokedKeyTtl', (v) => Number.isInteger(v) && (v as number) >= 0, 'must be a whole number of seconds (0 keeps revoked keys forever)');
  for (const flag of ['autoTrackUsage', 'auditLogs', 'extractBearer', 'scopeWildcards']) optional(config, flag, isBool, 'must be true or false');
  optional(config, 'auditContext', isObject, 'must be an object');
  optional(
    config,
    'headerNames',
    (v) => Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'string' && n !== ''),
    'must be a non-empty array of header names',
  );
  optional(config, 'keyFormat', (v) => v === 'keypal' || v === 'elyzor', "must be 'keypal' or 'elyzor'");
  optional(config, 'environment', (v) => v === 'live' || v === 'test', "must be 'live' or 'test'");
  optional(config, 'limits', (v) => v === 'memory' || v === 'redis', "must be 'memory' or 'redis'");
  optional(config, 'rotationGracePeriod', isFiniteNonNegative, 'must be a non-negative number of seconds');
  optional(config, 'clock', (v) => isObject(v) && typeof v.now === 'function', 'must have a now() method');
  optional(config, 'redis', isRedis, 'must be an ioredis client');
  optional(
    config,
    'storage',
    (v) => v === 'memory' || v === 'redis' || (isObject(v) && STORAGE_METHODS.every((m) => typeof v[m] === 'function')),
    `must be 'memory', 'redis' or a Storage (with ${STORAGE_METHODS.join(', ')})`,
  );
  optional(
    config,
    'cache',
    (v) => typeof v === 'boolean' || v === 'redis' || (isObject(v) && ['get', 'set', 'del'].every((m) => typeof v[m] === 'function')),
    "must be true, false, 'redis' or a Cache (with get, set, del)",
  );

  const keyFormat = input.keyFormat ?? 'keypal';
  if (keyFormat === 'elyzor') {
    for (const option of ['prefix', 'length', 'alphabet'] as const) {
      check(input[option] === undefined, option, "cannot be set with keyFormat 'elyzor' (its keys are sk_<environment>_<id>.<secret>)");
    }
  } else {
    check(input.environment === undefined, 'environment', "applies only to keyFormat 'elyzor'");
  }
  if (slowAlgorithm !== null) {
    // The stored prefix is plaintext: what follows it must still be a secret on its own, and
    // the prefix must tell keys apart (Elyzor's format starts with the same 8 characters).
    check(keyFormat === 'keypal', 'keyFormat', `'elyzor' cannot be used with algorithm '${slowAlgorithm}': its keys share their first 8 characters`);
    const hidden = (input.length ?? DEFAULT_LENGTH) - Math.max(0, KEY_PREFIX_LENGTH - (input.prefix ?? '').length);
    check(hidden >= MIN_HIDDEN_CHARACTERS, 'length', `must leave at least ${MIN_HIDDEN_CHARACTERS} random characters after the stored ${KEY_PREFIX_LENGTH}-character key prefix with algorithm '${slowAlgorithm}'`);
  }
  const redis = input.redis;
  const needsRedis = input.storage === 'redis' || input.cache === 'redis' || input.limits === 'redis';
  check(!needsRedis || redis !== undefined, 'redis', "is required when storage, cache or limits is 'redis'");

  const clock: Clock = input.clock ?? systemClock;
  const format =
    keyFormat === 'elyzor'
      ? elyzorFormat(input.environment ?? 'live')
      : keypalFormat(input.prefix ?? '', input.alphabet ?? DEFAULT_ALPHABET, input.length ?? DEFAULT_LENGTH);

  const storage: Storage =
    input.storage === 'redis' && redis !== undefined
      ? new RedisStore({ client: redis as unknown as RedisStoreOptions["client"] })
      : typeof input.storage === 'object'
        ? input.storage
        : new MemoryStore();

  let cache: Cache | null = null;
  let memory: MemoryCache | null = null;
  if (input.cache === true) {
    memory = new MemoryCache({ now: () => clock.now() });
    cache = memory;
  } else if (input.cache === 'redis' && redis !== undefined) {
    cache = new RedisCache(redis);
  } else if (typeof input.cache === 'object') {
    cache = input.cache;
    if (input.cache instanceof MemoryCache) memory = input.cache;
  }

  check(
    slowAlgorithm === null || typeof storage.findByKeyPrefix === 'function',
    'algorithm',
    `'${String(slowAlgorithm)}' needs a storage with findByKeyPrefix (MemoryStore, TypeOrmStore): its digests cannot be looked up by value`,
  );

  const limitsIn = input.limits ?? (input.storage === 'redis' ? 'redis' : 'memory');
  const inRedis = limitsIn === 'redis' && redis !== undefined;

  return {
    format,
    hash: createHasher(slowAlgorithm === null ? ((input.algorithm as 'sha256' | 'sha512' | undefined) ?? 'sha256') : 'sha256', input.salt),
    slow: slowAlgorithm === null ? null : createSlowHash(slowAlgorithm, input.bcryptRounds ?? 10),
    storage,
    cache,
    memory,
    cacheTtl: input.cacheTtl ?? 60,
    revokedKeyTtl: input.revokedKeyTtl ?? 604_800,
    autoTrackUsage: input.autoTrackUsage ?? true,
    auditLogs: input.auditLogs ?? false,
    auditContext: input.auditContext,
    headerNames: input.headerNames ?? [...DEFAULT_HEADER_NAMES],
    extractBearer: input.extractBearer ?? true,
    limiter: inRedis ? new RedisScriptLimiter(redis, 'elyzor:keys:') : memoryLimiter(clock),
    usage: inRedis ? new RedisUsage(redis, 'elyzor:keys:usage:') : new MemoryUsage(),
    rotationGracePeriod: input.rotationGracePeriod ?? 0,
    scopeWildcards: input.scopeWildcards ?? false,
    clock,
  };
}
