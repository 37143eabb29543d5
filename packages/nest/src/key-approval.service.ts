import { Inject, Injectable } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import type { ApiKeyBackend } from './backend.js';
import { conflict } from './exceptions.js';
import { API_KEY_BACKEND } from './tokens.js';
import { ApiKeyService } from './api-key.service.js';
import { checkId, checkReason } from './validate-input.js';

/**
 * The approval workflow: a key created with `requiresApproval` (or under the module's
 * `requireApproval`) is `pending`, refused with 403, until approved; a rejected one is revoked.
 */
@Injectable()
export class KeyApprovalService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
  ) {}

  private async pending(keyId: string): Promise<ApiKey> {
    checkId(keyId);
    const key = await this.keys.findById(keyId);
    if (key.state !== 'pending') throw conflict('api_key_state', `API key ${JSON.stringify(keyId)} is ${key.state}, not pending`);
    return key;
  }

  async approve(keyId: string): Promise<ApiKey> {
    await this.pending(keyId);
    return this.backend.release(keyId);
  }

  async reject(keyId: string, reason?: string): Promise<ApiKey> {
    checkReason(reason);
    await this.pending(keyId);
    return this.keys.revoke(keyId, reason === undefined ? { reason: 'rejected' } : { reason });
  }

  async getPendingKeys(): Promise<ApiKey[]> {
    return (await this.keys.findAll()).filter((key) => key.state === 'pending');
  }
}
