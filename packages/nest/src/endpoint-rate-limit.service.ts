import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { LimitDecision, Limiter } from '@elyzor/core';
import { invalidInput } from './exceptions.js';
import { API_KEY_LIMITER } from './tokens.js';

export interface EndpointLimit {
  /** Requests allowed per window. */
  max: number;
  windowMs: number;
}

/** Checks an endpoint limit's arguments; a decorator with a bad one fails where it is written. */
export function checkEndpointLimit(limit: unknown): asserts limit is EndpointLimit {
  const { max, windowMs } = (limit ?? {}) as Partial<EndpointLimit>;
  if (!Number.isInteger(max) || (max as number) < 1) throw invalidInput('EndpointRateLimit: max must be a positive integer');
  if (!Number.isInteger(windowMs) || (windowMs as number) < 1) throw invalidInput('EndpointRateLimit: windowMs must be a positive integer of milliseconds');
}

/** Per-key limits of one endpoint (`@EndpointRateLimit`), on core's limiter. */
@Injectable()
export class EndpointRateLimitService implements OnModuleDestroy {
  constructor(@Inject(API_KEY_LIMITER) private readonly limiter: Limiter) {}

  /** Spends one request of `keyId` on `endpoint`: the limiter's decision (`retryAfterMs` when refused). */
  async consume(endpoint: string, keyId: string, limit: EndpointLimit): Promise<LimitDecision> {
    checkEndpointLimit(limit);
    const result = await this.limiter.consume([{ key: `endpoint:${endpoint}:${keyId}`, rule: { type: 'sliding_window', limit: limit.max, windowMs: limit.windowMs } }], 1);
    return result.decisions[0] as LimitDecision;
  }

  /** nest-api-key-auth's form: whether the request is within the limit (and spent if so). */
  async checkEndpointLimit(endpoint: string, keyId: string, limit: EndpointLimit): Promise<boolean> {
    return (await this.consume(endpoint, keyId, limit)).allowed;
  }

  async onModuleDestroy(): Promise<void> {
    await this.limiter.close();
  }
}
