import { Inject, Injectable } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import type { ApiKeyBackend } from './backend.js';
import { localOnly } from './local-only.js';
import { API_KEY_BACKEND } from './tokens.js';
import { checkId } from './validate-input.js';

/** Where a key's quota stands, as nest-api-key-auth's `QuotaStatus`. */
export interface QuotaStatus {
  /** Whether another request fits in this period. */
  allowed: boolean;
  limit: number;
  used: number;
  remaining: number;
  /** When the period ends and the count starts again (UTC midnight, or the 1st of the month). */
  resetAt: Date;
}

/**
 * Per-key usage quotas (`quotaMax` per `quotaPeriod`). The guard enforces them (429
 * `quota_exceeded`); this service reads the count, which lives with the engine's limiter (in
 * process, or in Redis with `redisClient`), and starts it afresh. Local mode only: in remote
 * mode Elyzor counts, and these methods answer 501.
 */
@Injectable()
export class QuotaService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
  ) {}

  /** The key's quota status without spending any, or null when it has no quota; 404 for an unknown id. */
  async getQuotaStatus(keyId: string): Promise<QuotaStatus | null> {
    checkId(keyId);
    const local = localOnly(this.backend, 'QuotaService');
    const quota = (await local.limits(keyId)).quota;
    if (quota === undefined) return null;
    return { allowed: quota.remaining > 0, limit: quota.limit, used: quota.limit - quota.remaining, remaining: quota.remaining, resetAt: new Date(quota.resetAt) };
  }

  /** nest-api-key-auth's form, for a key in hand: its status, or "allowed" when it has no quota. */
  async checkQuota(apiKey: Pick<ApiKey, 'id'>): Promise<QuotaStatus> {
    const status = await this.getQuotaStatus(apiKey.id);
    return status ?? { allowed: true, limit: 0, used: 0, remaining: Number.POSITIVE_INFINITY, resetAt: new Date(Date.now() + 86_400_000) };
  }

  /**
   * Starts the key's count afresh, before its period ends. The engine names a key's counters
   * together, so its rate-limit window starts afresh too.
   */
  async resetQuota(keyId: string): Promise<QuotaStatus | null> {
    checkId(keyId);
    await this.keys.findById(keyId);
    await localOnly(this.backend, 'QuotaService').resetLimits(keyId);
    return this.getQuotaStatus(keyId);
  }
}
