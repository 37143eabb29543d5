import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import type { ApiKeyBackend } from './backend.js';
import { conflict } from './exceptions.js';
import { eventData, type KeyEvents } from './key-events.js';
import { API_KEY_BACKEND, API_KEY_EVENTS } from './tokens.js';
import { checkId } from './validate-input.js';

/**
 * nest-api-key-auth's key restore: undoes a revocation, so the key passes the guard again with
 * its old token (`key.restored` is raised). Only a revoked key can be restored (409 otherwise);
 * a key retired by a rotation cannot, its successor holds its place. Local mode only: Elyzor has
 * no undo of a revocation, and `restore` answers 501 there.
 */
@Injectable()
export class KeyRestoreService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
    @Optional() @Inject(API_KEY_EVENTS) private readonly events?: KeyEvents,
  ) {}

  async restore(keyId: string): Promise<ApiKey> {
    checkId(keyId);
    const key = await this.keys.findById(keyId);
    if (key.state !== 'revoked') throw conflict('api_key_state', `API key ${JSON.stringify(keyId)} is ${key.state}, not revoked`);
    const restored = await this.backend.restore(keyId);
    this.events?.emit('key.restored', eventData(restored));
    return restored;
  }

  async getRevokedKeys(): Promise<ApiKey[]> {
    return (await this.keys.findAll()).filter((key) => key.state === 'revoked');
  }
}
