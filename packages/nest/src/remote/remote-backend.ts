import { Elyzor, ElyzorError, type CreateKeyBody, type Key, type VerifyKeyResult } from '@elyzor/sdk';
import type { ApiKey, ApiKeyState, CreateApiKeyDto, CreateApiKeyResponse, KeyEnvironment, RevokeOptions, RotateOptions } from '../api-key.js';
import type { ApiKeyBackend, ExpiryNotice, IpRules, RefusalCode, Verdict, VerifyContext } from '../backend.js';
import { ApiKeyAlreadyRevokedException, ApiKeyNotFoundException, invalidInput, notInRemoteMode, unavailable } from '../exceptions.js';
import type { ResolvedOptions } from '../options.js';
import { policyOf } from '../policy.js';

/** The fields of nest-api-key-auth that Elyzor has no field for, kept in the key's `metadata`. */
interface NestMetadata {
  name?: string;
  description?: string;
  environment?: KeyEnvironment;
  metadata?: Record<string, unknown>;
  hold?: 'pending' | 'suspended';
  suspensionReason?: string;
  expiryNotice?: ExpiryNotice;
}

const REFUSALS: Partial<Record<string, RefusalCode>> = {
  invalid_key: 'invalid_api_key',
  key_revoked: 'key_revoked',
  key_expired: 'key_expired',
  key_disabled: 'key_suspended',
  ip_not_allowed: 'ip_not_allowed',
  insufficient_scope: 'insufficient_scope',
  rate_limit_exceeded: 'rate_limit_exceeded',
  quota_exceeded: 'quota_exceeded',
  credits_exhausted: 'quota_exceeded',
};

const date = (iso: string | null | undefined): Date | null => (iso == null ? null : new Date(iso));

function stateOf(key: Key, nest: NestMetadata): ApiKeyState {
  if (key.status === 'revoked') return 'revoked';
  if (key.status === 'expired') return 'expired';
  if (key.status === 'disabled') return nest.hold ?? 'suspended';
  return 'active';
}

/** An Elyzor key as nest-api-key-auth's `ApiKey`. */
function toApiKey(key: Key): ApiKey {
  const nest = (key.metadata ?? {}) as NestMetadata;
  const rate = key.rateLimit as { limit?: number; windowSeconds?: number } | null;
  const quota = key.quota as { limit?: number; period?: 'day' | 'month' } | null;
  return {
    id: key.id,
    name: nest.name ?? key.label ?? '',
    scopes: key.scopes,
    state: stateOf(key, nest),
    expiresAt: date(key.expiresAt),
    revokedAt: date(key.revokedAt),
    revocationReason: key.revokeReason,
    lastUsedAt: date(key.lastUsedAt),
    createdAt: date(key.createdAt),
    ipWhitelist: key.ipAllowlist,
    ipBlacklist: key.ipDenylist,
    rateLimitMax: rate?.limit ?? null,
    rateLimitWindowMs: rate?.windowSeconds === undefined ? null : rate.windowSeconds * 1000,
    quotaMax: quota?.limit ?? null,
    quotaPeriod: quota?.period === undefined ? null : quota.period === 'day' ? 'daily' : 'monthly',
    metadata: nest.metadata ?? null,
    tags: key.tags,
    owner: key.ownerId,
    environment: nest.environment ?? null,
    description: nest.description ?? null,
    suspensionReason: nest.hold === 'suspended' ? (nest.suspensionReason ?? null) : null,
  };
}

/** A verified key from the verify answer alone (no second request on the hot path). */
function fromVerification(result: Extract<VerifyKeyResult, { valid: true }>): ApiKey {
  const nest = (result.metadata ?? {}) as NestMetadata;
  return {
    id: result.keyId,
    name: nest.name ?? '',
    scopes: result.scopes,
    state: 'active',
    expiresAt: date(result.expiresAt),
    revokedAt: null,
    revocationReason: null,
    lastUsedAt: null,
    createdAt: null,
    ipWhitelist: [],
    ipBlacklist: [],
    rateLimitMax: null,
    rateLimitWindowMs: null,
    quotaMax: null,
    quotaPeriod: null,
    metadata: nest.metadata ?? null,
    tags: [],
    owner: result.ownerId,
    environment: nest.environment ?? null,
    description: nest.description ?? null,
    suspensionReason: null,
  };
}

function toBody(dto: CreateApiKeyDto, pending: boolean): CreateKeyBody {
  const nest: NestMetadata = { name: dto.name };
  if (dto.description !== undefined) nest.description = dto.description;
  if (dto.environment !== undefined) nest.environment = dto.environment;
  if (dto.metadata !== undefined) nest.metadata = dto.metadata;
  if (pending) nest.hold = 'pending';
  // `create` has refused a yearly quota, so the policy's period is Elyzor's 'day' or 'month'.
  const body: CreateKeyBody = { label: dto.name.slice(0, 100), scopes: dto.scopes ?? [], metadata: { ...nest }, enabled: !pending, ...(policyOf(dto) as Partial<CreateKeyBody>) };
  if (dto.expiresAt != null) body.expiresAt = new Date(dto.expiresAt).toISOString();
  if (dto.owner !== undefined) body.ownerId = dto.owner;
  return body;
}

/** An SDK failure as the Nest exception of the seed: unknown id 404, bad input 400, anything else 503. */
function toNestError(error: unknown, id: string): Error {
  if (!(error instanceof ElyzorError)) return error instanceof Error ? error : unavailable();
  if (error.status === 404) return new ApiKeyNotFoundException(id);
  if (error.status === 409 && error.code === 'already_revoked') return new ApiKeyAlreadyRevokedException(id);
  if (error.status === 400 || error.status === 409 || error.status === 422) return invalidInput(error.message);
  return unavailable();
}

async function call<T>(id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toNestError(error, id);
  }
}

/**
 * Remote mode (`adapter: 'elyzor'`): the keys are an Elyzor project's, managed with a root key
 * and verified with `POST /v1/verify` through `@elyzor/sdk`. Nothing is stored in the app.
 */
export class RemoteBackend implements ApiKeyBackend {
  private readonly client: Elyzor;
  private readonly projectId: string;

  constructor(private readonly options: ResolvedOptions) {
    const remote = options.elyzor as NonNullable<ResolvedOptions['elyzor']>;
    this.client = new Elyzor({ baseUrl: remote.baseUrl, rootKey: remote.rootKey });
    this.projectId = remote.projectId;
  }

  async create(dto: CreateApiKeyDto): Promise<CreateApiKeyResponse> {
    // Elyzor counts quotas per UTC day or month; a yearly one would be silently something else.
    if (dto.quotaPeriod === 'yearly') throw invalidInput("quotaPeriod 'yearly' is not available with adapter 'elyzor' (Elyzor counts quotas per day or month)");
    const issued = await call('', () => this.client.keys.create(this.projectId, toBody(dto, dto.requiresApproval ?? this.options.requireApproval)));
    return { ...toApiKey(issued), token: issued.key };
  }

  async findById(id: string): Promise<ApiKey | null> {
    try {
      return toApiKey(await this.client.keys.get(this.projectId, id));
    } catch (error) {
      if (error instanceof ElyzorError && error.status === 404) return null;
      throw toNestError(error, id);
    }
  }

  async findAll(): Promise<ApiKey[]> {
    return call('', async () => {
      const all: ApiKey[] = [];
      for await (const key of this.client.keys.iterate(this.projectId)) all.push(toApiKey(key));
      return all.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
    });
  }

  async revoke(id: string, options: RevokeOptions): Promise<ApiKey> {
    const current = await this.findById(id);
    if (current === null) throw new ApiKeyNotFoundException(id);
    if (current.state === 'revoked') throw new ApiKeyAlreadyRevokedException(id);
    await call(id, () => this.client.keys.revoke(this.projectId, id, options.reason === undefined ? {} : { reason: options.reason }));
    return toApiKey(await call(id, () => this.client.keys.get(this.projectId, id)));
  }

  async rotate(id: string, options: RotateOptions): Promise<CreateApiKeyResponse> {
    // Elyzor's rotation always retires the old key, after at most 30 days of overlap.
    if (options.revokeOldKey !== true) throw invalidInput("remote mode rotates with revokeOldKey: true (the old key stops after gracePeriodHours, at most 720)");
    const hours = options.gracePeriodHours ?? 0;
    if (hours > 720) throw invalidInput('gracePeriodHours must be at most 720 in remote mode');
    const issued = await call(id, () => this.client.keys.rotate(this.projectId, id, { gracePeriodSeconds: Math.round(hours * 3600) }));
    return { ...toApiKey(issued), token: issued.key };
  }

  async hold(id: string, hold: 'pending' | 'suspended', reason?: string): Promise<ApiKey> {
    const key = await call(id, () => this.client.keys.get(this.projectId, id));
    const { suspensionReason: _reason, ...nest } = (key.metadata ?? {}) as NestMetadata;
    const metadata: NestMetadata = reason === undefined ? { ...nest, hold } : { ...nest, hold, suspensionReason: reason };
    return toApiKey(await call(id, () => this.client.keys.update(this.projectId, id, { enabled: false, metadata: { ...metadata } })));
  }

  async release(id: string): Promise<ApiKey> {
    const key = await call(id, () => this.client.keys.get(this.projectId, id));
    const { hold: _hold, suspensionReason: _reason, ...nest } = (key.metadata ?? {}) as NestMetadata;
    return toApiKey(await call(id, () => this.client.keys.update(this.projectId, id, { enabled: true, metadata: { ...nest } })));
  }

  /** Elyzor has no undo of a revocation: a revoked key stays revoked. */
  restore(): Promise<ApiKey> {
    return Promise.reject(notInRemoteMode('KeyRestoreService.restore'));
  }

  async setIpRules(id: string, rules: IpRules): Promise<ApiKey> {
    const body: { ipAllowlist?: string[]; ipDenylist?: string[] } = {};
    if (rules.ipWhitelist !== undefined) body.ipAllowlist = rules.ipWhitelist;
    if (rules.ipBlacklist !== undefined) body.ipDenylist = rules.ipBlacklist;
    return toApiKey(await call(id, () => this.client.keys.update(this.projectId, id, body)));
  }

  async expiryNotice(id: string): Promise<ExpiryNotice | null> {
    const key = await call(id, () => this.client.keys.get(this.projectId, id));
    return ((key.metadata ?? {}) as NestMetadata).expiryNotice ?? null;
  }

  async markExpiryNotice(id: string, notice: ExpiryNotice): Promise<void> {
    const key = await call(id, () => this.client.keys.get(this.projectId, id));
    await call(id, () => this.client.keys.update(this.projectId, id, { metadata: { ...((key.metadata ?? {}) as NestMetadata), expiryNotice: notice } }));
  }

  async verify(token: string, context: VerifyContext): Promise<Verdict> {
    let result: VerifyKeyResult;
    try {
      result = await this.client.verify(token, context.ip === undefined ? {} : { ip: context.ip });
    } catch {
      return { ok: false, code: 'service_unavailable' };
    }
    if (result.valid) return result.projectId === this.projectId ? { ok: true, apiKey: fromVerification(result) } : { ok: false, code: 'invalid_api_key' };
    const code = REFUSALS[result.error] ?? 'invalid_api_key';
    return result.retryAfter === undefined ? { ok: false, code } : { ok: false, code, retryAfterMs: result.retryAfter * 1000 };
  }
}
