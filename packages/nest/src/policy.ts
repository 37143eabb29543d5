import type { CreateApiKeyDto } from './api-key.js';

/** A key's policy in the engine's terms, the same for the library and the service. */
export interface EnginePolicy {
  tags?: string[];
  ipAllowlist?: string[];
  ipDenylist?: string[];
  rateLimit?: { algorithm: 'sliding_window'; limit: number; windowSeconds: number };
  quota?: { limit: number; period: 'day' | 'month' | 'year' };
}

const QUOTA_IN = { daily: 'day', monthly: 'month', yearly: 'year' } as const;

/** nest-api-key-auth's policy fields (whitelist, blacklist, rate limit, quota, tags) as the engine's. */
export function policyOf(dto: CreateApiKeyDto): EnginePolicy {
  const policy: EnginePolicy = {};
  if (dto.tags !== undefined) policy.tags = dto.tags;
  if (dto.ipWhitelist !== undefined) policy.ipAllowlist = dto.ipWhitelist;
  if (dto.ipBlacklist !== undefined) policy.ipDenylist = dto.ipBlacklist;
  if (dto.rateLimitMax !== undefined && dto.rateLimitWindowMs !== undefined) {
    policy.rateLimit = { algorithm: 'sliding_window', limit: dto.rateLimitMax, windowSeconds: dto.rateLimitWindowMs / 1000 };
  }
  if (dto.quotaMax !== undefined && dto.quotaPeriod !== undefined) policy.quota = { limit: dto.quotaMax, period: QUOTA_IN[dto.quotaPeriod] };
  return policy;
}
