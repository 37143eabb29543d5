import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { CreateApiKeyDto, CreateApiKeyResponse } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import { invalidInput } from './exceptions.js';

export interface BulkCreateResult {
  success: number;
  failed: number;
  /** One per input, in order; `key` (with its `token`, shown this once) for each created. */
  results: Array<{ name: string; success: boolean; keyId?: string; key?: CreateApiKeyResponse; error?: string; code?: string }>;
}

export interface BulkRevokeResult {
  success: number;
  failed: number;
  results: Array<{ keyId: string; success: boolean; error?: string; code?: string }>;
}

/** The most items one bulk call takes. */
const MAX_ITEMS = 1000;

/** Why one item failed: the service's exception's code and message (never an internal error's text). */
function failure(error: unknown): { error: string; code: string } {
  if (error instanceof HttpException) {
    const body = error.getResponse() as { code?: string; message?: string } | string;
    if (typeof body === 'object') return { error: body.message ?? error.message, code: body.code ?? 'error' };
  }
  return { error: 'internal error', code: 'internal_error' };
}

function checkList(list: unknown, what: string): asserts list is unknown[] {
  if (!Array.isArray(list)) throw invalidInput(`${what} must be an array`);
  if (list.length > MAX_ITEMS) throw invalidInput(`${what} must have at most ${MAX_ITEMS} items`);
}

/**
 * nest-api-key-auth's bulk operations: `ApiKeyService.create` and `revoke` for each item, so each
 * is checked, stored and announced (webhooks) as one call would be. One item's failure does not
 * stop the others; each result says what happened to its item.
 */
@Injectable()
export class BulkOperationsService {
  constructor(@Inject(ApiKeyService) private readonly keys: ApiKeyService) {}

  async bulkCreate(dtos: CreateApiKeyDto[]): Promise<BulkCreateResult> {
    checkList(dtos, 'dtos');
    const results: BulkCreateResult['results'] = [];
    for (const dto of dtos) {
      const name = typeof dto?.name === 'string' ? dto.name : '';
      try {
        const key = await this.keys.create(dto);
        results.push({ name, success: true, keyId: key.id, key });
      } catch (error) {
        results.push({ name, success: false, ...failure(error) });
      }
    }
    const success = results.filter((r) => r.success).length;
    return { success, failed: results.length - success, results };
  }

  async bulkRevoke(keyIds: string[], options: { reason?: string } = {}): Promise<BulkRevokeResult> {
    checkList(keyIds, 'keyIds');
    const results: BulkRevokeResult['results'] = [];
    for (const keyId of keyIds) {
      try {
        await this.keys.revoke(keyId, options);
        results.push({ keyId, success: true });
      } catch (error) {
        results.push({ keyId: String(keyId), success: false, ...failure(error) });
      }
    }
    const success = results.filter((r) => r.success).length;
    return { success, failed: results.length - success, results };
  }
}
