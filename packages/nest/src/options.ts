import type { IApiKeyAdapter } from './adapter.js';
import {
  checkAuditLogOptions,
  checkWebhooks,
  resolveExpirationOptions,
  type AuditLogOptions,
  type ExpirationNotificationOptions,
  type ResolvedExpirationOptions,
  type WebhookConfig,
} from './service-options.js';

export type AdapterName = 'prisma' | 'typeorm' | 'kysely' | 'drizzle' | 'custom' | 'memory' | 'elyzor';

export type HashAlgorithm = 'sha256' | 'bcrypt' | 'argon2';

/** The options of `ApiKeyModule.register`, as nest-api-key-auth names them, and Elyzor's. */
export interface ApiKeyModuleOptions {
  /** Register the module globally (its service and guards usable in every module); default true. */
  global?: boolean;
  /** Characters of a generated key (hexadecimal), 8 to 128; default 64 (256 bits). */
  secretLength?: number;
  /** Header read for the key; default `x-api-key`. `Authorization: Bearer <key>` is read too. */
  headerName?: string;
  queryParamName?: string;
  cookieName?: string;

  /** Where keys live; default 'prisma', as in nest-api-key-auth. */
  adapter?: AdapterName;
  /** A PrismaClient whose `apiKey` model has the library's schema (`id`, `keyHash`, `metadata`). */
  prismaClient?: object;
  /** The Prisma model's delegate name; default `apiKey`. */
  prismaModel?: string;
  /**
   * `adapter: 'typeorm'`: a TypeORM `Repository` of `ApiKeyEntity` (from `@elyzor/keys/typeorm`,
   * nest-api-key-auth's table), or its injection token, `getRepositoryToken(ApiKeyEntity)`, which
   * the module finds among your app's providers (`TypeOrmModule.forFeature([ApiKeyEntity])`).
   */
  typeOrmRepository?: object | string | symbol;
  /**
   * The options of `@elyzor/keys/kysely`'s KyselyStore: `{ db, tableName?, columns?, auditLogTable? }`.
   * Typed loosely so that the package's types need no Kysely installed.
   */
  kysely?: { db: object; tableName?: string; columns?: { id?: string; keyHash?: string; metadata?: string }; auditLogTable?: string };
  /** The options of `@elyzor/keys/drizzle`'s DrizzleStore: `{ db, table, auditLogTable? }` (`table` from `@elyzor/keys/drizzle/schema`). */
  drizzle?: { db: object; table: object; auditLogTable?: object };
  customAdapter?: IApiKeyAdapter;

  /** Remote mode (`adapter: 'elyzor'`): the Elyzor service, a root key, and the project whose keys these are. */
  elyzor?: { baseUrl: string; rootKey: string; projectId: string };

  /**
   * 'sha256' (default) hashes random keys with SHA-256, as Elyzor does. 'bcrypt' and 'argon2' are
   * for tables whose keys nest-api-key-auth hashed so: keys are found by their `keyPrefix` (first
   * 8 characters) and checked against the digest, and new keys are hashed the same way. Local
   * mode, with a store that looks keys up by prefix (`typeorm`, `memory`, or a custom adapter with
   * `findByKeyPrefix`); needs `bcryptjs` or `@node-rs/argon2` installed.
   */
  hashAlgorithm?: HashAlgorithm;
  /** The bcrypt cost of new keys, with `hashAlgorithm: 'bcrypt'`, 4 to 31; default 10. */
  bcryptRounds?: number;

  enableRateLimiting?: boolean;
  enableAuditLogging?: boolean;
  enableCaching?: boolean;
  enableAnalytics?: boolean;
  enableWebhooks?: boolean;
  enableQuotaLimiting?: boolean;
  /** How long a verified key is cached, with `enableCaching`; default 300000 (5 minutes). */
  cacheTtlMs?: number;
  /** An ioredis client: the cache (with `enableCaching`) and the rate limits and quotas count there. */
  redisClient?: object;
  /** New keys start `pending` until approved. */
  requireApproval?: boolean;
  /** Where `enableAuditLogging` writes each request (console, `onLog`, the adapter's audit-log table). */
  auditLogOptions?: AuditLogOptions;
  /** Receivers of the key events, with `enableWebhooks`. */
  webhooks?: WebhookConfig[];
  /** The expiration monitor: `key.expiring` at each threshold, `key.expired` once. */
  expirationNotificationOptions?: ExpirationNotificationOptions;
}

/** The options once checked, with their defaults. */
export interface ResolvedOptions extends ApiKeyModuleOptions {
  global: boolean;
  secretLength: number;
  headerName: string;
  queryParamName: string;
  cookieName: string;
  adapter: AdapterName;
  hashAlgorithm: HashAlgorithm;
  enableRateLimiting: boolean;
  enableQuotaLimiting: boolean;
  enableCaching: boolean;
  cacheTtlMs: number;
  requireApproval: boolean;
  enableAuditLogging: boolean;
  enableAnalytics: boolean;
  enableWebhooks: boolean;
  expiration: ResolvedExpirationOptions;
}

/** Thrown at module init for a malformed option; the message names it. */
export class ApiKeyModuleOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`ApiKeyModule: option "${option}" ${message}`);
    this.name = 'ApiKeyModuleOptionsError';
  }
}

const KNOWN = new Set([
  'global', 'secretLength', 'headerName', 'queryParamName', 'cookieName', 'adapter', 'prismaClient', 'prismaModel',
  'typeOrmRepository', 'kysely', 'drizzle', 'customAdapter', 'elyzor', 'hashAlgorithm', 'bcryptRounds', 'enableRateLimiting',
  'enableAuditLogging', 'enableCaching', 'enableAnalytics', 'enableWebhooks', 'enableQuotaLimiting', 'cacheTtlMs',
  'redisClient', 'requireApproval', 'auditLogOptions', 'webhooks', 'expirationNotificationOptions',
]);
const ADAPTERS: readonly AdapterName[] = ['prisma', 'typeorm', 'kysely', 'drizzle', 'custom', 'memory', 'elyzor'];
const HASHES: readonly HashAlgorithm[] = ['sha256', 'bcrypt', 'argon2'];
const FLAGS = ['global', 'enableRateLimiting', 'enableAuditLogging', 'enableCaching', 'enableAnalytics', 'enableWebhooks', 'enableQuotaLimiting', 'requireApproval'] as const;
/** What each adapter needs besides its name. */
const NEEDS: Partial<Record<AdapterName, keyof ApiKeyModuleOptions>> = {
  typeorm: 'typeOrmRepository',
  kysely: 'kysely',
  drizzle: 'drizzle',
  custom: 'customAdapter',
  elyzor: 'elyzor',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function check(condition: boolean, option: string, message: string): asserts condition {
  if (!condition) throw new ApiKeyModuleOptionsError(option, message);
}

function checkName(options: Record<string, unknown>, option: string): void {
  const value = options[option];
  if (value !== undefined) check(typeof value === 'string' && value.trim() !== '' && !/[\s:]/.test(value), option, 'must be a non-empty name without spaces');
}

/** Checks `input` (throwing `ApiKeyModuleOptionsError` naming the option) and fills in the defaults. */
export function resolveOptions(input: unknown): ResolvedOptions {
  check(isObject(input), 'options', 'must be an object');
  for (const key of Object.keys(input)) check(KNOWN.has(key), key, 'is not an option of ApiKeyModule');
  const options = input as ApiKeyModuleOptions & Record<string, unknown>;
  for (const flag of FLAGS) check(options[flag] === undefined || typeof options[flag] === 'boolean', flag, 'must be true or false');
  const length = options.secretLength;
  check(length === undefined || (Number.isInteger(length) && length >= 8 && length <= 128), 'secretLength', 'must be an integer from 8 to 128');
  for (const name of ['headerName', 'queryParamName', 'cookieName']) checkName(options, name);
  const adapter = options.adapter ?? 'prisma';
  check(ADAPTERS.includes(adapter), 'adapter', `must be one of ${ADAPTERS.map((a) => `'${a}'`).join(', ')}`);
  const needed = NEEDS[adapter];
  if (needed !== undefined) check(options[needed] !== undefined && options[needed] !== null, needed, `is required with adapter '${adapter}'`);
  const hash = options.hashAlgorithm ?? 'sha256';
  check(HASHES.includes(hash), 'hashAlgorithm', "must be 'sha256', 'bcrypt' or 'argon2'");
  // Remote keys are Elyzor's, hashed by the service: a local digest algorithm has nothing to hash.
  check(hash === 'sha256' || adapter !== 'elyzor', 'hashAlgorithm', `'${hash}' applies to local mode; adapter 'elyzor' keys are hashed by the Elyzor service`);
  // The first 8 characters are stored as they are (keyPrefix): the rest must still be a secret.
  check(hash === 'sha256' || length === undefined || (length as number) >= 24, 'secretLength', `must be at least 24 with hashAlgorithm '${hash}': its first 8 characters are stored in clear`);
  const rounds = options.bcryptRounds;
  check(rounds === undefined || hash === 'bcrypt', 'bcryptRounds', "applies only with hashAlgorithm 'bcrypt'");
  check(rounds === undefined || (Number.isInteger(rounds) && rounds >= 4 && rounds <= 31), 'bcryptRounds', 'must be an integer from 4 to 31');
  const ttl = options.cacheTtlMs;
  check(ttl === undefined || (typeof ttl === 'number' && Number.isFinite(ttl) && ttl >= 1000), 'cacheTtlMs', 'must be a number of milliseconds, at least 1000');
  check(options.redisClient === undefined || isObject(options.redisClient), 'redisClient', 'must be an ioredis client');
  check(options.prismaClient === undefined || isObject(options.prismaClient), 'prismaClient', 'must be a PrismaClient');
  checkName(options, 'prismaModel');
  const repository: unknown = options.typeOrmRepository;
  check(
    repository === undefined || ['string', 'symbol', 'function'].includes(typeof repository) || (isObject(repository) && typeof repository.find === 'function'),
    'typeOrmRepository',
    'must be a TypeORM Repository or its injection token (getRepositoryToken(ApiKeyEntity))',
  );
  if (options.kysely !== undefined) check(isObject(options.kysely) && isObject(options.kysely.db), 'kysely', 'must be { db, tableName? } with a Kysely instance');
  if (options.drizzle !== undefined) check(isObject(options.drizzle) && isObject(options.drizzle.db) && isObject(options.drizzle.table), 'drizzle', 'must be { db, table }');
  if (options.elyzor !== undefined) {
    const remote = options.elyzor as unknown;
    check(isObject(remote), 'elyzor', 'must be { baseUrl, rootKey, projectId }');
    check(typeof remote.baseUrl === 'string' && URL.canParse(remote.baseUrl), 'elyzor.baseUrl', 'must be a URL');
    check(typeof remote.rootKey === 'string' && remote.rootKey !== '', 'elyzor.rootKey', 'must be a root key');
    check(typeof remote.projectId === 'string' && remote.projectId !== '', 'elyzor.projectId', 'must be a project id');
  }
  checkAuditLogOptions(options.auditLogOptions, check);
  checkWebhooks(options.webhooks, check);
  check(options.webhooks === undefined || options.enableWebhooks === true, 'webhooks', 'needs enableWebhooks: true');
  const expiration = resolveExpirationOptions(options.expirationNotificationOptions, check);
  // Remote mode keeps no table of its own: Elyzor's stats and audit log answer these there.
  check(!(adapter === 'elyzor' && options.enableAnalytics === true), 'enableAnalytics', "is not available with adapter 'elyzor': the analytics read the app's own request log (use Elyzor's stats)");
  check(!(adapter === 'elyzor' && options.auditLogOptions?.logToDatabase === true), 'auditLogOptions.logToDatabase', "is not available with adapter 'elyzor': nothing is stored in the app (use Elyzor's audit log)");
  return {
    ...options,
    global: options.global ?? true,
    secretLength: length ?? 64,
    headerName: options.headerName ?? 'x-api-key',
    queryParamName: options.queryParamName ?? 'api_key',
    cookieName: options.cookieName ?? 'api_key',
    adapter,
    hashAlgorithm: hash,
    enableRateLimiting: options.enableRateLimiting ?? true,
    enableQuotaLimiting: options.enableQuotaLimiting ?? true,
    enableCaching: options.enableCaching ?? false,
    cacheTtlMs: ttl ?? 300_000,
    requireApproval: options.requireApproval ?? false,
    enableAuditLogging: options.enableAuditLogging ?? false,
    enableAnalytics: options.enableAnalytics ?? false,
    enableWebhooks: options.enableWebhooks ?? false,
    expiration,
  };
}
