import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, EndpointRateLimit, QuotaService, RateLimitService } from '../src/index.js';
import { call, startNest, type RunningNest } from './helpers.js';

/**
 * `redisClient`: the cache, the keys' limits and the endpoint limits count in one Redis, so two
 * app instances share them. Run by the `nest:postgres+redis` project (TEST_REDIS_URL), where an
 * unreachable Redis fails the suite.
 */
@Controller('reports')
class ReportsController {
  @Get()
  @ApiKeyAuth()
  @EndpointRateLimit({ max: 2, windowMs: 60000 })
  list(): unknown[] {
    return [];
  }
}

const redisUrl = process.env.TEST_REDIS_URL;
let redis: Redis;
let a: RunningNest;
let b: RunningNest;

beforeAll(async () => {
  if (redisUrl === undefined) throw new Error('TEST_REDIS_URL is required by this suite');
  redis = new Redis(redisUrl, { keyPrefix: `nest-test-${randomUUID()}:`, maxRetriesPerRequest: 1 });
  await redis.ping();
  // Two instances of one app: one store (the custom adapter shared), one Redis.
  const { MemoryStore } = await import('@elyzor/keys/memory');
  const storage = new MemoryStore();
  const options = { adapter: 'custom' as const, customAdapter: storage, redisClient: redis, enableCaching: true };
  a = await startNest([ApiKeyModule.register(options)], [ReportsController]);
  b = await startNest([ApiKeyModule.register(options)], [ReportsController]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  redis?.disconnect();
});

describe('with redisClient', () => {
  it('a key’s rate limit is counted across instances', async () => {
    const { token } = await a.get(ApiKeyService).create({ name: 'shared-limit', rateLimitMax: 2, rateLimitWindowMs: 60000 });
    const headers = { 'x-api-key': token };
    expect((await call(`${a.baseUrl}/reports/`, { headers })).status).toBe(200);
    expect((await call(`${b.baseUrl}/reports/`, { headers })).status).toBe(200);
    const refused = await call(`${a.baseUrl}/reports/`, { headers });
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'rate_limit_exceeded' });
  });

  it('an endpoint limit is counted across instances', async () => {
    const { token } = await a.get(ApiKeyService).create({ name: 'shared-endpoint' });
    const headers = { 'x-api-key': token };
    expect((await call(`${b.baseUrl}/reports`, { headers })).status).toBe(200);
    expect((await call(`${a.baseUrl}/reports`, { headers })).status).toBe(200);
    expect((await call(`${b.baseUrl}/reports`, { headers })).body).toMatchObject({ statusCode: 429, code: 'endpoint_rate_limit_exceeded' });
  });

  it('a key revoked on one instance is refused by the other at once, its cache in Redis', async () => {
    const { token, id } = await a.get(ApiKeyService).create({ name: 'cached' });
    const headers = { 'x-api-key': token };
    expect((await call(`${b.baseUrl}/reports`, { headers })).status).toBe(200);
    await a.get(ApiKeyService).revoke(id);
    expect((await call(`${b.baseUrl}/reports`, { headers })).status).toBe(401);
  });

  it('QuotaService on one instance reads the quota spent through both, and its reset applies to both', async () => {
    const key = await a.get(ApiKeyService).create({ name: 'shared-quota', quotaMax: 3, quotaPeriod: 'daily' });
    const headers = { 'x-api-key': key.token };
    expect((await call(`${a.baseUrl}/reports/`, { headers })).status).toBe(200);
    expect((await call(`${b.baseUrl}/reports/`, { headers })).status).toBe(200);
    expect(await b.get(QuotaService).getQuotaStatus(key.id)).toMatchObject({ used: 2, remaining: 1, allowed: true });
    await a.get(QuotaService).resetQuota(key.id);
    expect(await b.get(QuotaService).getQuotaStatus(key.id)).toMatchObject({ used: 0, remaining: 3 });
  });

  it("RateLimitService.checkRateLimit's ad-hoc limit is counted across instances", async () => {
    const config = { maxRequests: 2, windowMs: 60_000 };
    const id = `adhoc-${randomUUID()}`;
    expect(await a.get(RateLimitService).checkRateLimit(id, config)).toBe(true);
    expect(await b.get(RateLimitService).checkRateLimit(id, config)).toBe(true);
    expect(await a.get(RateLimitService).checkRateLimit(id, config)).toBe(false);
  });
});
