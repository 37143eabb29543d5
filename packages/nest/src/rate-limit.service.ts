import { Inject, Injectable } from '@nestjs/common';
import type { Limiter } from '@elyzor/core';
import { ApiKeyService } from './api-key.service.js';
import type { ApiKeyBackend } from './backend.js';
import { invalidInput } from './exceptions.js';
import { localOnly } from './local-only.js';
import { API_KEY_BACKEND, API_KEY_LIMITER } from './tokens.js';
import { checkId } from './validate-input.js';

export interface RateLimitConfig {
  maxRequests: number;
  windowMs: number;
}

export interface RateLimitStatus {
  limit: number;
  remaining: number;
  /** When the window is fully available again, in ms since the epoch. */
  resetAt: number;
}

const DEFAULT: RateLimitConfig = { maxRequests: 100, windowMs: 60_000 };

function resolve(config: Partial<RateLimitConfig> | undefined): RateLimitConfig {
  const merged = { ...DEFAULT, ...config };
  if (!Number.isInteger(merged.maxRequests) || merged.maxRequests < 1) throw invalidInput('maxRequests must be a positive integer');
  if (!Number.isInteger(merged.windowMs) || merged.windowMs < 1) throw invalidInput('windowMs must be a positive integer of milliseconds');
  return merged;
}

/**
 * Per-key rate limits. A key's own limit (`rateLimitMax` per `rateLimitWindowMs`) is enforced by
 * the guard (429 `rate_limit_exceeded`); `getRateLimitStatus` reads it and `resetRateLimit`
 * starts it afresh (local mode). `checkRateLimit(keyId, config)` is nest-api-key-auth's
 * ad-hoc limit, counted by the module's limiter (in process, or in Redis with `redisClient`),
 * in both modes.
 */
@Injectable()
export class RateLimitService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
    @Inject(API_KEY_LIMITER) private readonly limiter: Limiter,
  ) {}

  private check(keyId: string, config: RateLimitConfig, cost: number): Promise<{ allowed: boolean; status: RateLimitStatus }> {
    return this.limiter.consume([{ key: `ratelimit:${config.windowMs}:${keyId}`, rule: { type: 'sliding_window', limit: config.maxRequests, windowMs: config.windowMs } }], cost).then((result) => {
      const decision = result.decisions[0];
      return { allowed: result.allowed, status: { limit: config.maxRequests, remaining: decision?.remaining ?? 0, resetAt: decision?.resetAt ?? Date.now() } };
    });
  }

  /** Spends one request of `keyId` under `config` (default 100 per minute): whether it was within the limit. */
  async checkRateLimit(keyId: string, config?: Partial<RateLimitConfig>): Promise<boolean> {
    checkId(keyId);
    return (await this.check(keyId, resolve(config), 1)).allowed;
  }

  /**
   * Without `config`: where the key's own rate limit stands (null when it has none; local mode).
   * With `config`: where `checkRateLimit(keyId, config)` stands. Nothing is spent.
   */
  async getRateLimitStatus(keyId: string, config?: Partial<RateLimitConfig>): Promise<RateLimitStatus | null> {
    checkId(keyId);
    if (config !== undefined) return (await this.check(keyId, resolve(config), 0)).status;
    const rate = (await localOnly(this.backend, 'RateLimitService.getRateLimitStatus').limits(keyId)).rateLimit;
    return rate === undefined ? null : { limit: rate.limit, remaining: rate.remaining, resetAt: Date.parse(rate.resetAt) };
  }

  /** Starts the key's own rate-limit window afresh (and its quota count: the engine names them together). */
  async resetRateLimit(keyId: string): Promise<void> {
    checkId(keyId);
    await this.keys.findById(keyId);
    await localOnly(this.backend, 'RateLimitService.resetRateLimit').resetLimits(keyId);
  }
}
