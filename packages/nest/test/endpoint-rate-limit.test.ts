import { Controller, Get, Post } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, EndpointRateLimit, EndpointRateLimitService } from '../src/index.js';
import { call, startNest, type RunningNest } from './helpers.js';

@Controller('projects')
class ProjectsController {
  @Get()
  @ApiKeyAuth()
  @EndpointRateLimit({ max: 3, windowMs: 60000 })
  findAll(): unknown[] {
    return [];
  }

  @Post()
  @ApiKeyAuth()
  @EndpointRateLimit({ max: 1, windowMs: 60000 })
  create(): unknown {
    return {};
  }

  @Get('free')
  @ApiKeyAuth()
  free(): unknown {
    return {};
  }
}

let nest: RunningNest;
let service: ApiKeyService;
beforeAll(async () => {
  nest = await startNest([ApiKeyModule.register({ adapter: 'memory' })], [ProjectsController]);
  service = nest.get(ApiKeyService);
});
afterAll(() => nest.close());

const hit = (token: string, path = '/projects', method = 'GET') => call(`${nest.baseUrl}${path}`, { method, headers: { 'x-api-key': token } });

describe('@EndpointRateLimit', () => {
  it('allows max requests per key per window on that route, then 429 with Retry-After', async () => {
    const { token } = await service.create({ name: 'a' });
    for (let i = 0; i < 3; i++) expect((await hit(token)).status).toBe(200);
    const refused = await hit(token);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'endpoint_rate_limit_exceeded' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // A sliding window of 60 s may ask for up to two windows, depending on where in the window the requests fell.
    expect(retryAfter).toBeLessThanOrEqual(120);
  });

  it('counts each route and each key apart; routes without it are not limited', async () => {
    const a = await service.create({ name: 'route-a' });
    const b = await service.create({ name: 'route-b' });
    expect((await hit(a.token, '/projects', 'POST')).status).toBe(201);
    expect((await hit(a.token, '/projects', 'POST')).status).toBe(429);
    expect((await hit(b.token, '/projects', 'POST')).status).toBe(201);
    expect((await hit(a.token)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await hit(a.token, '/projects/free')).status).toBe(200);
  });

  it('a refused key spends nothing of the endpoint limit', async () => {
    for (let i = 0; i < 5; i++) expect((await hit('0'.repeat(64), '/projects', 'POST')).status).toBe(401);
    const { token } = await service.create({ name: 'fresh' });
    expect((await hit(token, '/projects', 'POST')).status).toBe(201);
  });

  it('EndpointRateLimitService.checkEndpointLimit spends and answers', async () => {
    const limits = nest.get(EndpointRateLimitService);
    expect(await limits.checkEndpointLimit('reports', 'key-1', { max: 1, windowMs: 60000 })).toBe(true);
    expect(await limits.checkEndpointLimit('reports', 'key-1', { max: 1, windowMs: 60000 })).toBe(false);
    expect(await limits.checkEndpointLimit('reports', 'key-2', { max: 1, windowMs: 60000 })).toBe(true);
    await expect(limits.checkEndpointLimit('reports', 'key-1', { max: 0, windowMs: 60000 })).rejects.toThrow(/max/);
  });

  it('a malformed limit fails where the decorator is written', () => {
    expect(() => EndpointRateLimit({ max: 10, windowMs: -1 })).toThrow(TypeError);
    expect(() => EndpointRateLimit({ max: 1.5, windowMs: 1000 })).toThrow(/max/);
  });
});
