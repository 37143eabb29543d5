import { Inject, Injectable } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import type { ApiKeyBackend } from './backend.js';
import { conflict } from './exceptions.js';
import { API_KEY_BACKEND } from './tokens.js';
import { ApiKeyService } from './api-key.service.js';
import { checkId, checkReason } from './validate-input.js';

/** Suspends keys without revoking them: a suspended key is refused with 403 until unsuspended. */
@Injectable()
export class KeySuspensionService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
  ) {}

  async suspend(keyId: string, reason?: string): Promise<ApiKey> {
    checkId(keyId);
    checkReason(reason);
    const key = await this.keys.findById(keyId);
    if (key.state !== 'active') throw conflict('api_key_state', `API key ${JSON.stringify(keyId)} is ${key.state}, not active`);
    return this.backend.hold(keyId, 'suspended', reason);
  }

  async unsuspend(keyId: string): Promise<ApiKey> {
    checkId(keyId);
    const key = await this.keys.findById(keyId);
    if (key.state !== 'suspended') throw conflict('api_key_state', `API key ${JSON.stringify(keyId)} is ${key.state}, not suspended`);
    return this.backend.release(keyId);
  }

  async getSuspendedKeys(): Promise<ApiKey[]> {
    return (await this.keys.findAll()).filter((key) => key.state === 'suspended');
  }
}
