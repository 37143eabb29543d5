import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ApiKey, CreateApiKeyDto, CreateApiKeyResponse, RevokeOptions, RotateOptions } from './api-key.js';
import type { ApiKeyBackend, Verdict, VerifyContext } from './backend.js';
import { ApiKeyNotFoundException } from './exceptions.js';
import { eventData, type KeyEvents } from './key-events.js';
import type { ResolvedOptions } from './options.js';
import { API_KEY_BACKEND, API_KEY_EVENTS, API_KEY_MODULE_OPTIONS } from './tokens.js';
import { checkCreate, checkId, checkRevoke, checkRotate } from './validate-input.js';

/**
 * nest-api-key-auth's `ApiKeyService`: management and validation of keys, in local or remote
 * mode. Bad input is a BadRequestException naming the field; an unknown id is ApiKeyNotFoundException.
 */
@Injectable()
export class ApiKeyService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(API_KEY_MODULE_OPTIONS) private readonly options: ResolvedOptions,
    /** The module's events (webhooks); absent outside the module (the Express middleware). */
    @Optional() @Inject(API_KEY_EVENTS) private readonly events?: KeyEvents,
  ) {}

  /** A new key; its plaintext `token` is in this answer only. */
  async create(dto: CreateApiKeyDto): Promise<CreateApiKeyResponse> {
    checkCreate(dto, this.options);
    const created = await this.backend.create(dto);
    this.events?.emit('key.created', eventData(created));
    return created;
  }

  async findById(id: string): Promise<ApiKey> {
    checkId(id);
    const key = await this.backend.findById(id);
    if (key === null) throw new ApiKeyNotFoundException(id);
    return key;
  }

  /** Every key, revoked ones included, oldest first. */
  async findAll(): Promise<ApiKey[]> {
    return this.backend.findAll();
  }

  /** The keys not revoked. */
  async findAllActive(): Promise<ApiKey[]> {
    return (await this.backend.findAll()).filter((key) => key.state !== 'revoked');
  }

  async revoke(id: string, options: RevokeOptions = {}): Promise<ApiKey> {
    checkId(id);
    checkRevoke(options);
    const revoked = await this.backend.revoke(id, options);
    this.events?.emit('key.revoked', eventData(revoked, { reason: revoked.revocationReason }));
    return revoked;
  }

  /** A new key with the old one's settings; the old one is revoked only with `revokeOldKey` (after `gracePeriodHours`). */
  async rotate(oldKeyId: string, options: RotateOptions = {}): Promise<CreateApiKeyResponse> {
    checkId(oldKeyId);
    checkRotate(options);
    const rotated = await this.backend.rotate(oldKeyId, options);
    this.events?.emit('key.rotated', eventData(rotated, { keyId: oldKeyId, newKeyId: rotated.id }));
    return rotated;
  }

  /** The key a token stands for, when it is valid now (and within its limits, which this spends); else null. */
  async validate(token: string, context: VerifyContext = {}): Promise<ApiKey | null> {
    if (typeof token !== 'string' || token === '') return null;
    const verdict = await this.backend.verify(token, context);
    return verdict.ok ? verdict.apiKey : null;
  }

  /** The guards' question: the key, or why it is refused. */
  verify(token: string, context: VerifyContext = {}): Promise<Verdict> {
    return this.backend.verify(token, context);
  }
}
