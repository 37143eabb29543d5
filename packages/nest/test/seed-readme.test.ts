import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import { Controller, Get, Injectable, Module, Post, Req } from '@nestjs/common';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The seed's imports, with only the package name changed. The services are constructor parameter
// types, which Nest reads from the decorator metadata as injection tokens: they must stay values.
/* eslint-disable @typescript-eslint/consistent-type-imports */
import {
  ApiKeyAuth,
  ApiKeyModule,
  ApiKeyService,
  createApiKeyMiddleware,
  EndpointRateLimit,
  EndpointRateLimitService,
  KeyApprovalService,
  KeySuspensionService,
  Scopes,
  type ApiKey,
} from '../src/index.js';
/* eslint-enable @typescript-eslint/consistent-type-imports */
import { newPglite } from '../../keys/test/helpers/pglite.js';
import { PRISMA_TABLE_SQL, prismaLikeClient } from '../../keys/test/helpers/prisma-like.js';
import { call, startNest, type RunningNest } from './helpers.js';

/**
 * The examples of nest-api-key-auth's README, as written there (the package name changed), in a
 * real Nest app. The Prisma adapter runs on Prisma's query interface over PGlite, since a client
 * cannot be generated here; `prisma` stands for the app's PrismaClient.
 */
let pgl: PGlite;
let prisma: object;

// Protect Routes
@Controller('projects')
export class ProjectController {
  @Get()
  @ApiKeyAuth()
  findAll() {
    return [];
  }

  @Get(':id')
  @ApiKeyAuth()
  @Scopes('read:projects')
  findOne() {
    return {};
  }

  @Post()
  @ApiKeyAuth()
  @Scopes('write:projects')
  create() {
    return {};
  }
}

// Create API Keys
@Injectable()
export class AppService {
  constructor(private readonly apiKeyService: ApiKeyService) {}

  async createKey() {
    const result = await this.apiKeyService.create({
      name: 'My App',
      scopes: ['read:projects'], // Optional
      expiresAt: new Date('2099-12-31'), // Optional: key expiration date (the seed's 2025-12-31 is past)
    });
    console.log('API Key created:', result.token.length, 'characters');
    return result;
  }

  async listKeys() {
    const activeKeys = await this.apiKeyService.findAllActive();
    return activeKeys;
  }

  async revokeKey(id: string) {
    return await this.apiKeyService.revoke(id);
  }
}

// Decorators: @ApiKeyAuth() and request.apiKey; @Scopes AND
@Controller()
export class DecoratedController {
  @ApiKeyAuth()
  @Get('mine')
  findAll(@Req() req: { apiKey: ApiKey }) {
    return { name: req.apiKey.name };
  }

  @ApiKeyAuth()
  @Scopes('read:projects', 'write:projects')
  @Post('projects-both')
  createProject() {
    return {};
  }
}

// Endpoint-Specific Rate Limiting
@Controller('limited')
export class ProjectsController {
  @Get()
  @ApiKeyAuth()
  @EndpointRateLimit({ max: 100, windowMs: 60000 }) // 100 requests per minute
  findAll() {
    return [];
  }

  @Post()
  @ApiKeyAuth()
  @EndpointRateLimit({ max: 10, windowMs: 60000 }) // 10 requests per minute
  create() {
    return {};
  }
}

@Injectable()
export class LimitService {
  constructor(private readonly endpointRateLimit: EndpointRateLimitService) {}

  async checkLimit(endpoint: string, keyId: string) {
    const allowed = await this.endpointRateLimit.checkEndpointLimit(endpoint, keyId, { max: 100, windowMs: 60000 });
    if (!allowed) {
      throw new Error('Rate limit exceeded');
    }
  }
}

// Key Suspension
@Injectable()
export class SuspensionAppService {
  constructor(private readonly suspensionService: KeySuspensionService) {}

  async suspendKey(keyId: string, reason?: string) {
    const suspended = await this.suspensionService.suspend(keyId, reason);
    return suspended; // Key state is now 'suspended'
  }

  async unsuspendKey(keyId: string) {
    const active = await this.suspensionService.unsuspend(keyId);
    return active; // Key state is now 'active'
  }

  async getSuspendedKeys() {
    return await this.suspensionService.getSuspendedKeys();
  }
}

// Key Approval Workflow
@Injectable()
export class ApprovalAppService {
  constructor(
    private readonly apiKeyService: ApiKeyService,
    private readonly approvalService: KeyApprovalService,
  ) {}

  async createPendingKey(name: string) {
    const key = await this.apiKeyService.create({ name, requiresApproval: true });
    return key; // State is 'pending'
  }

  async approveKey(keyId: string) {
    const approved = await this.approvalService.approve(keyId);
    return approved; // State is now 'active'
  }

  async rejectKey(keyId: string, reason?: string) {
    const rejected = await this.approvalService.reject(keyId, reason);
    return rejected; // Key is revoked
  }

  async getPendingKeys() {
    return await this.approvalService.getPendingKeys();
  }
}

let nest: RunningNest;
let apiKeyService: ApiKeyService;
const url = (path: string): string => `${nest.baseUrl}${path}`;

beforeAll(async () => {
  pgl = await newPglite();
  await pgl.exec(PRISMA_TABLE_SQL);
  prisma = prismaLikeClient(pgl);
  // Quick Start: Import the Module (with the app's PrismaClient, as in "Adapter Selection")
  @Module({
    imports: [
      ApiKeyModule.register({
        adapter: 'prisma', // Optional: 'prisma' is the default
        prismaClient: prisma,
        secretLength: 32,
        headerName: 'x-api-key',
      }),
    ],
    controllers: [ProjectController, DecoratedController, ProjectsController],
    providers: [AppService, LimitService, SuspensionAppService, ApprovalAppService],
  })
  class AppModule {}
  nest = await startNest([AppModule]);
  apiKeyService = nest.get(ApiKeyService);
});
afterAll(async () => {
  await nest?.close();
  await pgl?.close();
});

describe("nest-api-key-auth's README", () => {
  it('Quick Start: create a key, list it, use it by header, query parameter and cookie, revoke it', async () => {
    const app = nest.get(AppService);
    const result = await app.createKey();
    expect((await app.listKeys()).map((k) => k.id)).toContain(result.id);
    const token = result.token;
    // curl -H "x-api-key: …" / "?api_key=…" / -H "Cookie: api_key=…"
    expect((await call(url('/projects'), { headers: { 'x-api-key': token } })).status).toBe(200);
    expect((await call(url(`/projects?api_key=${token}`))).status).toBe(200);
    expect((await call(url('/projects'), { headers: { Cookie: `api_key=${token}` } })).status).toBe(200);
    expect((await call(url('/projects/1'), { headers: { 'x-api-key': token } })).status).toBe(200);
    expect((await call(url('/projects'), { method: 'POST', headers: { 'x-api-key': token } })).status).toBe(403);
    await app.revokeKey(result.id);
    expect((await call(url('/projects'), { headers: { 'x-api-key': token } })).status).toBe(401);
  });

  it('API Reference: create with every field, findById, findAll, findAllActive, revoke with a reason, rotate', async () => {
    const key = await apiKeyService.create({
      name: 'My App',
      scopes: ['read:projects'],
      expiresAt: new Date('2099-12-31'),
      ipWhitelist: ['192.168.1.0/24'],
      ipBlacklist: ['192.168.1.100'],
      rateLimitMax: 1000,
      rateLimitWindowMs: 60000,
      quotaMax: 10000,
      quotaPeriod: 'daily',
      metadata: { appVersion: '1.0.0', region: 'us-east-1' },
      tags: ['production', 'api-v2'],
      owner: 'team-backend',
      environment: 'production',
      description: 'API key for production mobile app',
    });
    expect(typeof key.token).toBe('string');
    const found = await apiKeyService.findById(key.id);
    expect([found.name, found.scopes]).toEqual(['My App', ['read:projects']]);
    const allKeys = await apiKeyService.findAll();
    const activeKeys = await apiKeyService.findAllActive();
    expect(allKeys.length).toBeGreaterThanOrEqual(activeKeys.length);
    const revokedKey = await apiKeyService.revoke(key.id, { reason: 'Security breach detected' });
    expect(revokedKey.revokedAt).toBeInstanceOf(Date);
    expect(revokedKey.revocationReason).toBe('Security breach detected');
    const old = await apiKeyService.create({ name: 'old' });
    const newKey = await apiKeyService.rotate(old.id, { revokeOldKey: true, gracePeriodHours: 24 });
    expect(newKey.token).not.toBe(old.token);
  });

  it('Decorators: request.apiKey.name, and @Scopes with two scopes requires both', async () => {
    const reader = await apiKeyService.create({ name: 'reader', scopes: ['read:projects'] });
    const both = await apiKeyService.create({ name: 'both', scopes: ['read:projects', 'write:projects'] });
    expect((await call(url('/mine'), { headers: { 'x-api-key': reader.token } })).body).toEqual({ name: 'reader' });
    expect((await call(url('/projects-both'), { method: 'POST', headers: { 'x-api-key': reader.token } })).status).toBe(403);
    expect((await call(url('/projects-both'), { method: 'POST', headers: { 'x-api-key': both.token } })).status).toBe(201);
  });

  it('Rate Limiting, IP Whitelisting and IP Blacklisting on a key', async () => {
    const limited = await apiKeyService.create({ name: 'My App', rateLimitMax: 1, rateLimitWindowMs: 60000 });
    expect((await call(url('/projects'), { headers: { 'x-api-key': limited.token } })).status).toBe(200);
    expect((await call(url('/projects'), { headers: { 'x-api-key': limited.token } })).status).toBe(429);
    const whitelisted = await apiKeyService.create({ name: 'My App', ipWhitelist: ['192.168.1.0/24', '10.0.0.1'] });
    expect((await call(url('/projects'), { headers: { 'x-api-key': whitelisted.token } })).status).toBe(403);
    const both = await apiKeyService.create({ name: 'My App', ipWhitelist: ['127.0.0.0/8'], ipBlacklist: ['127.0.0.1'] });
    expect((await call(url('/projects'), { headers: { 'x-api-key': both.token } })).status).toBe(403);
  });

  it('Endpoint-Specific Rate Limiting, by decorator and by the service', async () => {
    const key = await apiKeyService.create({ name: 'endpoints' });
    for (let i = 0; i < 10; i++) expect((await call(url('/limited'), { method: 'POST', headers: { 'x-api-key': key.token } })).status).toBe(201);
    expect((await call(url('/limited'), { method: 'POST', headers: { 'x-api-key': key.token } })).status).toBe(429);
    expect((await call(url('/limited'), { headers: { 'x-api-key': key.token } })).status).toBe(200);
    await expect(nest.get(LimitService).checkLimit('reports', key.id)).resolves.toBeUndefined();
  });

  it('Key Suspension and the Approval Workflow', async () => {
    const suspension = nest.get(SuspensionAppService);
    const approval = nest.get(ApprovalAppService);
    const key = await apiKeyService.create({ name: 'suspend' });
    expect((await suspension.suspendKey(key.id, 'audit')).state).toBe('suspended');
    expect((await suspension.getSuspendedKeys()).map((k) => k.id)).toContain(key.id);
    expect((await suspension.unsuspendKey(key.id)).state).toBe('active');
    const pending = await approval.createPendingKey('pending');
    expect(pending.state).toBe('pending');
    expect((await approval.getPendingKeys()).map((k) => k.id)).toContain(pending.id);
    expect((await approval.approveKey(pending.id)).state).toBe('active');
    const rejected = await approval.createPendingKey('rejected');
    expect((await approval.rejectKey(rejected.id, 'no')).state).toBe('revoked');
  });

  it('Express Middleware: a non-Nest Express app', async () => {
    const app = express();
    // Configure the middleware
    const apiKeyMiddleware = createApiKeyMiddleware({
      adapter: 'prisma',
      prismaClient: prisma,
      headerName: 'x-api-key',
    });
    // Use the middleware
    app.use('/api', apiKeyMiddleware);
    app.get('/api/projects', (req, res) => {
      const apiKey = (req as unknown as { apiKey: ApiKey }).apiKey; // API key data is attached to request
      res.json({ name: apiKey.name });
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      // A key made by the Nest app's service, in the same database.
      const { token } = await apiKeyService.create({ name: 'shared' });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await call(`${base}/api/projects`, { headers: { 'x-api-key': token } })).body).toEqual({ name: 'shared' });
      expect((await call(`${base}/api/projects`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
