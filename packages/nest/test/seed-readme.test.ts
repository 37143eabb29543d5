import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { PGlite } from '@electric-sql/pglite';
import { Controller, Get, Inject, Injectable, Module, Param, Post, Req, type OnModuleInit } from '@nestjs/common';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The seed's imports, with only the package name changed. The services are constructor parameter
// types, which Nest reads from the decorator metadata as injection tokens: they must stay values.
/* eslint-disable @typescript-eslint/consistent-type-imports */
import {
  ANALYTICS_SERVICE_TOKEN,
  AnalyticsService,
  ApiKeyAuth,
  ApiKeyModule,
  ApiKeyService,
  AUDIT_LOG_SERVICE_TOKEN,
  AuditLogService,
  BulkOperationsService,
  createApiKeyMiddleware,
  EndpointRateLimit,
  EndpointRateLimitService,
  ExpirationNotificationService,
  KeyApprovalService,
  KeyRestoreService,
  KeySuspensionService,
  KeyTemplateService,
  QUOTA_SERVICE_TOKEN,
  QuotaService,
  Scopes,
  type ApiKey,
} from '../src/index.js';
/* eslint-enable @typescript-eslint/consistent-type-imports */
import { newPglite } from '../../keys/test/helpers/pglite.js';
import { PRISMA_LOG_TABLE_SQL, PRISMA_TABLE_SQL, prismaLikeClient } from '../../keys/test/helpers/prisma-like.js';
import { call, defined, startNest, type RunningNest } from './helpers.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

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
  await pgl.exec(PRISMA_LOG_TABLE_SQL);
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

// Audit Logging: Query Audit Logs
@Injectable()
export class AuditService {
  constructor(@Inject(AUDIT_LOG_SERVICE_TOKEN) private readonly auditLogService: AuditLogService) {}

  async getKeyLogs(keyId: string) {
    return await this.auditLogService.query({ keyId, limit: 100 });
  }

  async getStats() {
    return await this.auditLogService.getStats();
  }
}

// Usage Quotas (by token)
@Injectable()
export class QuotaAppService {
  constructor(@Inject(QUOTA_SERVICE_TOKEN) private readonly quotaService: QuotaService) {}

  async checkQuota(keyId: string) {
    const status = await this.quotaService.getQuotaStatus(keyId);
    if (status && !status.allowed) {
      throw new Error(`Quota exceeded: ${status.used}/${status.limit}`);
    }
  }
}

// Usage Quotas (by class)
@Injectable()
export class QuotaByClassService {
  constructor(private readonly quotaService: QuotaService) {}

  async checkQuota(keyId: string) {
    const status = await this.quotaService.getQuotaStatus(keyId);
    if (status && !status.allowed) {
      throw new Error(`Quota exceeded: ${status.used}/${status.limit}`);
    }
  }
}

// Usage Analytics: Using Analytics Service
@Controller('analytics')
export class AnalyticsController {
  constructor(
    @Inject(ANALYTICS_SERVICE_TOKEN) private readonly analyticsService: AnalyticsService,
  ) {}

  @Get('key/:keyId')
  async getKeyMetrics(@Param('keyId') keyId: string) {
    return await this.analyticsService.getKeyMetrics(keyId);
  }

  @Get('overview')
  async getAnalytics() {
    return await this.analyticsService.getAnalytics();
  }
}

// Bulk Operations
@Injectable()
export class KeyManagementService {
  constructor(private readonly bulkOps: BulkOperationsService) {}

  async createMultipleKeys(names: string[]) {
    const result = await this.bulkOps.bulkCreate(
      names.map((name) => ({ name, scopes: ['read:projects'] })),
    );
    return result;
  }

  async revokeMultipleKeys(keyIds: string[]) {
    const result = await this.bulkOps.bulkRevoke(keyIds);
    return result;
  }
}

// Expiration Monitoring
@Injectable()
export class ExpirationAppService implements OnModuleInit {
  constructor(private readonly expirationService: ExpirationNotificationService) {}

  onModuleInit() {
    this.expirationService.startMonitoring();
  }
}

// Key Templates
@Injectable()
export class TemplateAppService implements OnModuleInit {
  constructor(
    private readonly templateService: KeyTemplateService,
    private readonly apiKeyService: ApiKeyService,
  ) {}

  async onModuleInit() {
    // Register a template
    this.templateService.registerTemplate({
      id: 'production-template',
      name: 'Production API Key Template',
      description: 'Standard production key configuration',
      config: {
        scopes: ['read:projects', 'write:projects'],
        quotaMax: 100000,
        quotaPeriod: 'monthly',
        environment: 'production',
        tags: ['production'],
        rateLimitMax: 1000,
        rateLimitWindowMs: 60000,
      },
    });
  }

  async createFromTemplate(name: string) {
    const dto = this.templateService.createFromTemplate('production-template', name, {
      owner: 'team-backend', // Override template value
    });
    return await this.apiKeyService.create(dto);
  }
}

// Key Restore/Unrevoke
@Injectable()
export class RestoreAppService {
  constructor(private readonly restoreService: KeyRestoreService) {}

  async restoreKey(keyId: string) {
    const restored = await this.restoreService.restore(keyId);
    return restored; // Key is now active again
  }

  async getRevokedKeys() {
    return await this.restoreService.getRevokedKeys();
  }
}

describe("nest-api-key-auth's README: Advanced Features", () => {
  let advanced: RunningNest;
  let receiver: WebhookReceiver;
  let keys: ApiKeyService;
  const headers = (token: string): RequestInit => ({ headers: { 'x-api-key': token } });

  beforeAll(async () => {
    receiver = await startReceiver();
    // Module Options, with the Prisma client of the app (the adapter selected as in "Adapter Selection")
    @Module({
      imports: [
        ApiKeyModule.register({
          adapter: 'prisma',
          prismaClient: prisma,
          enableRateLimiting: true,
          enableAuditLogging: true,
          enableCaching: true,
          enableAnalytics: true,
          enableWebhooks: true,
          enableQuotaLimiting: true,
          cacheTtlMs: 300000,
          auditLogOptions: {
            logToConsole: true,
            logToDatabase: true, // Enable database storage
            retentionDays: 90,
          },
          webhooks: [
            {
              url: receiver.url, // the seed's https://your-app.com/webhooks/api-keys, here a receiver of the test
              secret: 'your-webhook-secret',
              events: ['key.created', 'key.revoked', 'key.rotated', 'key.expired', 'key.expiring'],
              retryAttempts: 3,
              timeout: 5000,
            },
          ],
          expirationNotificationOptions: {
            enabled: true,
            checkIntervalMs: 3600000, // 1 hour
            warningThresholdsDays: [30, 7, 1],
          },
        }),
      ],
      controllers: [ProjectController, AnalyticsController],
      providers: [AuditService, QuotaAppService, QuotaByClassService, KeyManagementService, ExpirationAppService, TemplateAppService, RestoreAppService],
    })
    class AdvancedModule {}
    advanced = await startNest([AdvancedModule]);
    keys = advanced.get(ApiKeyService);
  });
  afterAll(async () => {
    await advanced?.close();
    await receiver?.close();
  });

  it('Audit Logging: every request is logged to the database and queried', async () => {
    const key = await keys.create({ name: 'audited app' });
    expect((await call(`${advanced.baseUrl}/projects`, headers(key.token))).status).toBe(200);
    expect((await call(`${advanced.baseUrl}/projects`, headers('0'.repeat(64)))).status).toBe(401);
    const logs = await advanced.get(AuditService).getKeyLogs(key.id);
    expect(logs).toMatchObject([{ keyId: key.id, keyName: 'audited app', method: 'GET', path: '/projects', success: true }]);
    const stats = await advanced.get(AuditService).getStats();
    expect(stats.total).toBeGreaterThanOrEqual(2);
    expect(stats.failed).toBeGreaterThanOrEqual(1);
  });

  it('Usage Quotas: the guard enforces quotaMax, and getQuotaStatus says where it stands', async () => {
    const key = await keys.create({
      name: 'Limited API Key',
      quotaMax: 2, // Maximum requests (the seed's 10000, smaller to reach it)
      quotaPeriod: 'daily', // Reset daily
    });
    await expect(advanced.get(QuotaAppService).checkQuota(key.id)).resolves.toBeUndefined();
    expect((await call(`${advanced.baseUrl}/projects`, headers(key.token))).status).toBe(200);
    expect((await call(`${advanced.baseUrl}/projects`, headers(key.token))).status).toBe(200);
    const refused = await call(`${advanced.baseUrl}/projects`, headers(key.token));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    await expect(advanced.get(QuotaAppService).checkQuota(key.id)).rejects.toThrow('Quota exceeded: 2/2');
    await expect(advanced.get(QuotaByClassService).checkQuota(key.id)).rejects.toThrow('Quota exceeded: 2/2');
  });

  it('Usage Analytics: the controller of the seed answers over HTTP', async () => {
    const key = await keys.create({ name: 'measured' });
    await call(`${advanced.baseUrl}/projects`, headers(key.token));
    const metrics = await call(`${advanced.baseUrl}/analytics/key/${key.id}`);
    expect(metrics.body).toMatchObject({ keyId: key.id, keyName: 'measured', requestCount: 1, successCount: 1, failureCount: 0 });
    const overview = await call(`${advanced.baseUrl}/analytics/overview`);
    expect(overview.body).toMatchObject({ totalKeys: (await keys.findAll()).length });
    expect(overview.body.totalRequests).toBeGreaterThanOrEqual(1);
    expect((await call(`${advanced.baseUrl}/analytics/key/no-such-key`)).status).toBe(404);
  });

  it('Webhook Notifications: the payload format of the seed, signed with the secret', async () => {
    const key = await keys.create({ name: 'My API Key', scopes: ['read:projects'], expiresAt: new Date('2099-01-01T00:00:00.000Z') });
    await vi.waitFor(() => expect(receiver.of('key.created', key.id)).toHaveLength(1));
    const delivery = defined(receiver.of('key.created', key.id)[0], 'a delivery');
    expect(delivery.json).toMatchObject({
      event: 'key.created',
      data: { keyId: key.id, keyName: 'My API Key', scopes: ['read:projects'], expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(Number.isNaN(Date.parse(delivery.json.timestamp))).toBe(false);
    expect(delivery.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('Bulk Operations: create and revoke several keys', async () => {
    const bulk = advanced.get(KeyManagementService);
    const made = await bulk.createMultipleKeys(['bulk-a', 'bulk-b', 'bulk-c']);
    expect(made).toMatchObject({ success: 3, failed: 0 });
    const ids = made.results.map((r) => r.keyId ?? '');
    expect(await bulk.revokeMultipleKeys(ids)).toMatchObject({ success: 3, failed: 0 });
    expect((await keys.findAll()).filter((k) => ids.includes(k.id)).every((k) => k.state === 'revoked')).toBe(true);
  });

  it('Expiration Monitoring: a key about to expire is announced once, as key.expiring', async () => {
    const key = await keys.create({ name: 'expiring soon', expiresAt: new Date(Date.now() + 2 * 86_400_000) });
    // startMonitoring ran at init; its next check is an hour away, so check now as it would.
    expect(await advanced.get(ExpirationNotificationService).checkExpiringKeys()).toContainEqual({ keyId: key.id, event: 'key.expiring', thresholdDays: 7 });
    await vi.waitFor(() => expect(receiver.of('key.expiring', key.id)).toHaveLength(1));
    expect(receiver.of('key.expiring', key.id)[0]?.json.data).toMatchObject({ keyName: 'expiring soon', daysUntilExpiration: 2 });
  });

  it('Key Templates: a key from the production template, with an override', async () => {
    const key = await advanced.get(TemplateAppService).createFromTemplate('mobile backend');
    expect(key).toMatchObject({
      name: 'mobile backend',
      scopes: ['read:projects', 'write:projects'],
      quotaMax: 100000,
      quotaPeriod: 'monthly',
      environment: 'production',
      tags: ['production'],
      rateLimitMax: 1000,
      rateLimitWindowMs: 60000,
      owner: 'team-backend',
    });
    expect((await call(`${advanced.baseUrl}/projects`, headers(key.token))).status).toBe(200);
  });

  it('Key Restore/Unrevoke: a revoked key is active again', async () => {
    const restore = advanced.get(RestoreAppService);
    const key = await keys.create({ name: 'restored' });
    await keys.revoke(key.id, { reason: 'mistake' });
    expect((await call(`${advanced.baseUrl}/projects`, headers(key.token))).status).toBe(401);
    expect((await restore.getRevokedKeys()).map((k) => k.id)).toContain(key.id);
    expect((await restore.restoreKey(key.id)).state).toBe('active');
    expect((await call(`${advanced.baseUrl}/projects`, headers(key.token))).status).toBe(200);
  });
});

