import { ConfigError, createKeys, type ApiKeyManager, type ApiKeyRecord, type ConfigInput, type RedisLike, type Storage, type VerifyLimits, type VerifyResult } from '@elyzor/keys';
import type { ApiKey, CreateApiKeyDto, CreateApiKeyResponse, RevokeOptions, RotateOptions } from '../api-key.js';
import type { ApiKeyBackend, ExpiryNotice, IpRules, RefusalCode, Verdict, VerifyContext } from '../backend.js';
import { ApiKeyModuleOptionsError, type ResolvedOptions } from '../options.js';
import { ApiKeyNotFoundException } from '../exceptions.js';
import { nest } from './errors.js';
import { NEST_OWNER, toApiKey, toMetadata, type NestAttributes } from './records.js';

const HEX = '0123456789abcdef';

const REFUSALS: Partial<Record<string, RefusalCode>> = {
  MISSING_KEY: 'missing_api_key',
  EXPIRED: 'key_expired',
  REVOKED: 'key_revoked',
  IP_NOT_ALLOWED: 'ip_not_allowed',
  RATE_LIMIT_EXCEEDED: 'rate_limit_exceeded',
  QUOTA_EXCEEDED: 'quota_exceeded',
  CREDITS_EXHAUSTED: 'quota_exceeded',
  STORAGE_ERROR: 'service_unavailable',
};

/** The library's config for the module's options: hexadecimal keys of `secretLength`, cache, limits. */
export function keysConfig(options: ResolvedOptions, storage: Storage, clock?: { now(): number }): ConfigInput {
  const config: ConfigInput = { storage, alphabet: HEX, length: options.secretLength, algorithm: options.hashAlgorithm };
  if (options.bcryptRounds !== undefined) config.bcryptRounds = options.bcryptRounds;
  const redis = options.redisClient as RedisLike | undefined;
  if (redis !== undefined) {
    config.redis = redis;
    config.limits = 'redis';
  }
  if (options.enableCaching) {
    config.cache = redis !== undefined ? 'redis' : true;
    config.cacheTtl = options.cacheTtlMs / 1000;
  }
  if (options.enableAuditLogging === true) config.auditLogs = true;
  if (clock !== undefined) config.clock = clock;
  return config;
}

/**
 * Local mode: keys in the app's own database through one of `@elyzor/keys`' stores. Every verb
 * is the library's (`create`, `verify`, `rotate`, `revoke`, `enable`, `disable`); this class only
 * maps nest-api-key-auth's shapes onto them.
 */
export class LocalBackend implements ApiKeyBackend {
  readonly keys: ApiKeyManager;
  private readonly clock: { now(): number };

  constructor(
    private readonly options: ResolvedOptions,
    readonly storage: Storage,
    clock: { now(): number } = { now: () => Date.now() },
  ) {
    this.clock = clock;
    try {
      this.keys = createKeys(keysConfig(options, storage, clock));
    } catch (error) {
      // The library names its own option ("algorithm" for the module's hashAlgorithm, say).
      if (error instanceof ConfigError && error.option === 'algorithm') throw new ApiKeyModuleOptionsError('hashAlgorithm', `'${options.hashAlgorithm}' needs an adapter that finds keys by prefix: 'typeorm', 'memory', or a custom adapter with findByKeyPrefix`);
      throw error;
    }
  }

  /** Opens a deferred store (a TypeORM repository given by its token) and loads bcrypt or argon2. */
  async ready(): Promise<void> {
    (this.storage as { ready?: () => void }).ready?.();
    try {
      await this.keys.ready();
    } catch (error) {
      throw new ApiKeyModuleOptionsError('hashAlgorithm', (error as Error).message.replace(/^createKeys: option "algorithm" /, ''));
    }
  }

  view(record: ApiKeyRecord): ApiKey {
    return toApiKey(record, this.clock.now());
  }

  async create(dto: CreateApiKeyDto): Promise<CreateApiKeyResponse> {
    const pending = dto.requiresApproval ?? this.options.requireApproval;
    const { key, record } = await nest('', () => this.keys.create(toMetadata(dto, pending)));
    return { ...this.view(record), token: key };
  }

  async findById(id: string): Promise<ApiKey | null> {
    const record = await nest(id, () => this.keys.findById(id));
    return record === null || record.metadata.ownerId !== NEST_OWNER ? null : this.view(record);
  }

  /** The record itself, or ApiKeyNotFoundException. */
  async record(id: string): Promise<ApiKeyRecord> {
    const record = await nest(id, () => this.keys.findById(id));
    if (record === null || record.metadata.ownerId !== NEST_OWNER) throw new ApiKeyNotFoundException(id);
    return record;
  }

  async findAll(): Promise<ApiKey[]> {
    const records = await nest('', () => this.keys.list(NEST_OWNER));
    return records.map((r) => this.view(r)).sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
  }

  async revoke(id: string, options: RevokeOptions): Promise<ApiKey> {
    await this.record(id);
    await nest(id, () => this.keys.revoke(id, undefined, options.reason === undefined ? {} : { reason: options.reason }));
    return this.view(await this.record(id));
  }

  async rotate(id: string, options: RotateOptions): Promise<CreateApiKeyResponse> {
    await this.record(id);
    const revokeOld = options.revokeOldKey === true;
    const gracePeriod = revokeOld ? (options.gracePeriodHours ?? 0) * 3600 : 0;
    const { key, record } = await nest(id, () => this.keys.rotate(id, {}, undefined, { revokeOld, gracePeriod }));
    return { ...this.view(record), token: key };
  }

  /** Suspends (`hold: 'suspended'`) or holds for approval (`'pending'`); the guard refuses it with 403. */
  async hold(id: string, hold: 'pending' | 'suspended', reason?: string): Promise<ApiKey> {
    const record = await this.record(id);
    const attributes: NestAttributes = { ...(record.metadata.attributes as NestAttributes | undefined), hold };
    if (reason !== undefined) attributes.suspensionReason = reason;
    else delete attributes.suspensionReason;
    await nest(id, () => this.keys.disable(id, undefined, { attributes: { ...attributes } }));
    return this.view(await this.record(id));
  }

  /** Lets a held key pass again. */
  async release(id: string): Promise<ApiKey> {
    const record = await this.record(id);
    const { hold: _hold, suspensionReason: _reason, ...attributes } = (record.metadata.attributes ?? {}) as NestAttributes;
    await nest(id, () => this.keys.enable(id, undefined, { attributes }));
    return this.view(await this.record(id));
  }

  async restore(id: string): Promise<ApiKey> {
    await this.record(id);
    await nest(id, () => this.keys.restore(id));
    return this.view(await this.record(id));
  }

  async setIpRules(id: string, rules: IpRules): Promise<ApiKey> {
    await this.record(id);
    const changes: { ipAllowlist?: string[]; ipDenylist?: string[] } = {};
    if (rules.ipWhitelist !== undefined) changes.ipAllowlist = rules.ipWhitelist;
    if (rules.ipBlacklist !== undefined) changes.ipDenylist = rules.ipBlacklist;
    await nest(id, () => this.keys.update(id, changes));
    return this.view(await this.record(id));
  }

  /** Starts the key's rate-limit and quota counters afresh (the engine names them together). */
  async resetLimits(id: string): Promise<void> {
    await this.record(id);
    await nest(id, () => this.keys.update(id, { resetLimits: true }));
  }

  /** Where the key's limits stand, spending nothing. */
  async limits(id: string): Promise<VerifyLimits> {
    await this.record(id);
    return nest(id, () => this.keys.getLimits(id));
  }

  async expiryNotice(id: string): Promise<ExpiryNotice | null> {
    const attributes = ((await this.record(id)).metadata.attributes ?? {}) as NestAttributes;
    return attributes.expiryNotice ?? null;
  }

  async markExpiryNotice(id: string, notice: ExpiryNotice): Promise<void> {
    const record = await this.record(id);
    const attributes: NestAttributes = { ...(record.metadata.attributes as NestAttributes | undefined), expiryNotice: notice };
    await nest(id, () => this.keys.update(id, { attributes: { ...attributes } }));
  }

  async verify(token: string, context: VerifyContext): Promise<Verdict> {
    const result: VerifyResult = await this.keys.verify(token, context.ip === undefined ? {} : { ip: context.ip });
    if (result.valid) {
      if (result.record.metadata.ownerId !== NEST_OWNER) return { ok: false, code: 'invalid_api_key' };
      return { ok: true, apiKey: this.view(result.record) };
    }
    if (result.errorCode === 'DISABLED') {
      const record = await this.keys.findByKey(token).catch(() => null);
      const hold = (record?.metadata.attributes as NestAttributes | undefined)?.hold;
      return { ok: false, code: hold === 'pending' ? 'key_pending' : 'key_suspended' };
    }
    const code = REFUSALS[result.errorCode] ?? 'invalid_api_key';
    return result.retryAfterMs === undefined ? { ok: false, code } : { ok: false, code, retryAfterMs: result.retryAfterMs };
  }
}
