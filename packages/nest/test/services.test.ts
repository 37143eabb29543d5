import { randomBytes } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { verifyWebhook } from '@elyzor/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ANALYTICS_SERVICE_TOKEN,
  AnalyticsService,
  ApiKeyAuth,
  type ApiKeyModuleOptions,
  ApiKeyModule,
  ApiKeyNotFoundException,
  ApiKeyService,
  AUDIT_LOG_SERVICE_TOKEN,
  AuditLogService,
  BulkOperationsService,
  ExpirationNotificationService,
  IpRulesService,
  KeyRestoreService,
  KeyTemplateService,
  QUOTA_SERVICE_TOKEN,
  QuotaService,
  RateLimitService,
  WebhookService,
} from '../src/index.js';
import { sharedPglite } from './adapters.js';
import { call, defined, startNest, type RunningNest } from './helpers.js';
import { serviceStores } from './service-stores.js';
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js';

/**
 * The seed's services in a real Nest app over HTTP, on each store with an audit-log table:
 * what each service changes, the guard enforces; what the guard sees, they report; and each key
 * event reaches a real HTTP receiver, signed.
 */
@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  findAll(): unknown[] {
    return [];
  }
}

const DAY = 86_400_000;
const database = sharedPglite();
afterAll(() => database.close());

describe.each(serviceStores)('the seed’s services on $name', (store) => {
  let close: () => Promise<void>;
  let storeOptions: ApiKeyModuleOptions;
  let nest: RunningNest;
  let receiver: WebhookReceiver;
  let keys: ApiKeyService;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const get = (token: string, path = '/projects'): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> =>
    call(`${nest.baseUrl}${path}`, { headers: { 'x-api-key': token } });

  beforeAll(async () => {
    receiver = await startReceiver();
    const opened = await store.open(database);
    close = opened.close;
    storeOptions = opened.options;
    nest = await startNest(
      [
        ApiKeyModule.register({
          ...opened.options,
          enableAuditLogging: true,
          enableAnalytics: true,
          enableWebhooks: true,
          auditLogOptions: { logToConsole: false, logToDatabase: true, retentionDays: 30 },
          webhooks: [{ url: receiver.url, secret, events: ['key.created', 'key.revoked', 'key.rotated', 'key.restored', 'key.expiring', 'key.expired'], retryAttempts: 3, timeout: 5000 }],
          expirationNotificationOptions: { warningThresholdsDays: [30, 7, 1] },
        }),
      ],
      [ProjectController],
    );
    keys = nest.get(ApiKeyService);
  });
  afterAll(async () => {
    await nest?.close();
    await close?.();
    await receiver?.close();
  });

  describe('QuotaService', () => {
    it('reads the count the guard spends, refuses past the quota, and resets it', async () => {
      const quota = nest.get<QuotaService>(QUOTA_SERVICE_TOKEN);
      expect(quota).toBe(nest.get(QuotaService));
      const key = await keys.create({ name: 'quota', quotaMax: 2, quotaPeriod: 'daily' });
      expect(await quota.getQuotaStatus(key.id)).toMatchObject({ allowed: true, limit: 2, used: 0, remaining: 2 });
      expect((await get(key.token)).status).toBe(200);
      expect((await get(key.token)).status).toBe(200);
      const refused = await get(key.token);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('quota_exceeded');
      const now = new Date();
      const status = await quota.getQuotaStatus(key.id);
      expect(status).toMatchObject({ allowed: false, limit: 2, used: 2, remaining: 0 });
      expect(status?.resetAt.getTime()).toBe(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
      expect(await quota.resetQuota(key.id)).toMatchObject({ allowed: true, used: 0 });
      expect((await get(key.token)).status).toBe(200);
    });

    it('counts a yearly quota per UTC calendar year', async () => {
      const quota = nest.get(QuotaService);
      const key = await keys.create({ name: 'yearly', quotaMax: 1, quotaPeriod: 'yearly' });
      expect(key.quotaPeriod).toBe('yearly');
      expect((await keys.findById(key.id)).quotaPeriod).toBe('yearly');
      expect((await get(key.token)).status).toBe(200);
      expect((await get(key.token)).status).toBe(429);
      const status = await quota.getQuotaStatus(key.id);
      expect(status?.resetAt.getTime()).toBe(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1));
    });

    it('answers null for a key without a quota, "allowed" from checkQuota, and 404 for an unknown id', async () => {
      const quota = nest.get(QuotaService);
      const key = await keys.create({ name: 'unlimited' });
      expect(await quota.getQuotaStatus(key.id)).toBeNull();
      expect((await quota.checkQuota(key)).allowed).toBe(true);
      await expect(quota.getQuotaStatus('no-such-key')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
    });
  });

  describe('RateLimitService', () => {
    it('reads the key’s own limit as the guard spends it, and starts it afresh', async () => {
      const limits = nest.get(RateLimitService);
      const key = await keys.create({ name: 'limited', rateLimitMax: 2, rateLimitWindowMs: 60_000 });
      expect(await limits.getRateLimitStatus(key.id)).toMatchObject({ limit: 2, remaining: 2 });
      await get(key.token);
      await get(key.token);
      expect((await get(key.token)).status).toBe(429);
      expect(await limits.getRateLimitStatus(key.id)).toMatchObject({ limit: 2, remaining: 0 });
      await limits.resetRateLimit(key.id);
      expect((await get(key.token)).status).toBe(200);
    });

    it('checkRateLimit counts an ad-hoc limit per key', async () => {
      const limits = nest.get(RateLimitService);
      const config = { maxRequests: 2, windowMs: 60_000 };
      expect([await limits.checkRateLimit('k-1', config), await limits.checkRateLimit('k-1', config), await limits.checkRateLimit('k-1', config)]).toEqual([true, true, false]);
      expect(await limits.checkRateLimit('k-2', config)).toBe(true);
      expect(await limits.getRateLimitStatus('k-1', config)).toMatchObject({ limit: 2, remaining: 0 });
      await expect(limits.checkRateLimit('k-1', { maxRequests: 0 })).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('AuditLogService and AnalyticsService', () => {
    it('record each request the guard decides, in the database, without the key', async () => {
      const audit = nest.get<AuditLogService>(AUDIT_LOG_SERVICE_TOKEN);
      const analytics = nest.get<AnalyticsService>(ANALYTICS_SERVICE_TOKEN);
      const key = await keys.create({ name: 'audited' });
      expect((await call(`${nest.baseUrl}/projects?api_key=${key.token}`)).status).toBe(200);
      expect((await get(key.token)).status).toBe(200);
      expect((await get('f'.repeat(64))).status).toBe(401);
      const entries = await audit.query({ keyId: key.id, limit: 100 });
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({ keyId: key.id, keyName: 'audited', method: 'GET', path: '/projects', success: true });
      expect(entries[0]?.timestamp).toBeInstanceOf(Date);
      // The query string held the key: the path is logged without it.
      expect(JSON.stringify(await audit.query({ limit: 1000 }))).not.toContain(key.token);
      const refused = (await audit.query({ keyId: 'unknown' })).find((e) => e.errorMessage === 'invalid_api_key');
      expect(refused).toMatchObject({ success: false, statusCode: 401, path: '/projects' });
      expect(await audit.count({ keyId: key.id })).toBe(2);
      expect(await audit.getStats({ keyId: key.id })).toMatchObject({ total: 2, successful: 2, failed: 0, uniqueKeys: 1 });
      expect(await audit.cleanup()).toBe(0);

      expect(await analytics.getKeyMetrics(key.id)).toMatchObject({ keyId: key.id, keyName: 'audited', requestCount: 2, successCount: 2, failureCount: 0 });
      const overview = await analytics.getAnalytics();
      expect(overview.totalKeys).toBe((await keys.findAll()).length);
      expect(overview.topKeys.map((k) => k.keyId)).toContain(key.id);
      expect(overview.errorRate).toBeGreaterThan(0);
      expect(overview.requestsByHour.reduce((sum, h) => sum + h.count, 0)).toBe(overview.totalRequests);
      await expect(analytics.getKeyMetrics('no-such-key')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
      await expect(audit.query({ limit: 0 })).rejects.toMatchObject({ status: 400 });
    });

    it.skipIf(store.name === 'memory')('a second app on the same database reads the entries of the first', async () => {
      const key = await keys.create({ name: 'shared-log' });
      await get(key.token);
      const other = await startNest([ApiKeyModule.register({ ...storeOptions, enableAuditLogging: true, auditLogOptions: { logToConsole: false, logToDatabase: true } })]);
      try {
        expect(await other.get(AuditLogService).query({ keyId: key.id })).toMatchObject([{ keyId: key.id, success: true }]);
        expect(await other.get(AnalyticsService).getKeyMetrics(key.id)).toMatchObject({ requestCount: 1 });
      } finally {
        await other.close();
      }
    });
  });

  describe('WebhookService', () => {
    it('delivers created, revoked, rotated and restored, signed, without the token', async () => {
      const created = await keys.create({ name: 'hooked', scopes: ['read:projects'] });
      await vi.waitFor(() => expect(receiver.of('key.created', created.id)).toHaveLength(1));
      const delivery = defined(receiver.of('key.created', created.id)[0], 'a delivery');
      const verified = (await verifyWebhook(delivery.body, delivery.headers as Record<string, string>, secret)) as { event: string; data: Record<string, unknown> };
      expect(verified).toMatchObject({ event: 'key.created', data: { keyId: created.id, keyName: 'hooked', scopes: ['read:projects'], expiresAt: null } });
      expect(delivery.body).not.toContain(created.token);
      await expect(verifyWebhook(delivery.body, delivery.headers as Record<string, string>, `whsec_${randomBytes(32).toString('base64')}`)).rejects.toThrow();

      await keys.revoke(created.id, { reason: 'compromised' });
      await vi.waitFor(() => expect(receiver.of('key.revoked', created.id)).toHaveLength(1));
      expect(receiver.of('key.revoked', created.id)[0]?.json.data.reason).toBe('compromised');
      await nest.get(KeyRestoreService).restore(created.id);
      await vi.waitFor(() => expect(receiver.of('key.restored', created.id)).toHaveLength(1));
      const rotated = await keys.rotate(created.id, { revokeOldKey: true });
      await vi.waitFor(() => expect(receiver.of('key.rotated', created.id)).toHaveLength(1));
      expect(receiver.of('key.rotated', created.id)[0]?.json.data.newKeyId).toBe(rotated.id);
    });

    it('retries a receiver that fails, and reports one that never answers', async () => {
      const hooks = nest.get(WebhookService);
      receiver.failNext(1);
      const [delivered] = await hooks.sendWebhook('key.expiring', { keyId: 'k-retry', keyName: 'retry' });
      expect(delivered).toMatchObject({ delivered: true, attempts: 2, status: 204 });
      hooks.registerWebhook({ url: 'http://127.0.0.1:9/unreachable', events: ['key.expired'], retryAttempts: 1, timeout: 1000 });
      const results = await hooks.sendWebhook('key.expired', { keyId: 'k-x', keyName: 'x' });
      expect(results.find((r) => r.url.endsWith('/unreachable'))).toMatchObject({ delivered: false, attempts: 1 });
      hooks.unregisterWebhook('http://127.0.0.1:9/unreachable');
      expect(hooks.getWebhooks().map((h) => h.url)).toEqual([receiver.url]);
      expect(JSON.stringify(hooks.getWebhooks())).not.toContain(secret);
      expect(() => hooks.registerWebhook({ url: 'nope', events: ['key.created'] })).toThrow(/url/);
    });
  });

  describe('BulkOperationsService', () => {
    it('creates and revokes many, item by item, each result saying what happened', async () => {
      const bulk = nest.get(BulkOperationsService);
      const made = await bulk.bulkCreate([{ name: 'bulk-1', scopes: ['read:projects'] }, { name: '' }, { name: 'bulk-2' }]);
      expect(made).toMatchObject({ success: 2, failed: 1 });
      expect(made.results[1]).toMatchObject({ success: false, code: 'validation_error' });
      const tokens = made.results.filter((r) => r.success).map((r) => r.key?.token ?? '');
      for (const token of tokens) expect((await get(token)).status).toBe(200);
      const ids = made.results.flatMap((r) => (r.keyId === undefined ? [] : [r.keyId]));
      const revoked = await bulk.bulkRevoke([...ids, 'no-such-key']);
      expect(revoked).toMatchObject({ success: 2, failed: 1 });
      expect(revoked.results[2]).toMatchObject({ keyId: 'no-such-key', success: false, code: 'api_key_not_found' });
      for (const token of tokens) expect((await get(token)).status).toBe(401);
      await vi.waitFor(() => expect(ids.every((id) => receiver.of('key.revoked', id).length === 1)).toBe(true));
      await expect(bulk.bulkCreate('nope' as never)).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('ExpirationNotificationService', () => {
    it('raises key.expiring once per threshold and key.expired once, delivered as webhooks', async () => {
      const expiry = nest.get(ExpirationNotificationService);
      const soon = await keys.create({ name: 'expiring', expiresAt: new Date(Date.now() + 5 * DAY) });
      const later = await keys.create({ name: 'later', expiresAt: new Date(Date.now() + 40 * DAY) });
      const gone = await keys.create({ name: 'expired', expiresAt: new Date(Date.now() - DAY) });
      const first = await expiry.checkExpiringKeys();
      expect(first).toContainEqual({ keyId: soon.id, event: 'key.expiring', thresholdDays: 7 });
      expect(first).toContainEqual({ keyId: gone.id, event: 'key.expired' });
      expect(first.map((n) => n.keyId)).not.toContain(later.id);
      expect((await expiry.checkExpiringKeys()).filter((n) => [soon.id, gone.id].includes(n.keyId))).toEqual([]);
      await vi.waitFor(() => expect(receiver.of('key.expiring', soon.id)).toHaveLength(1));
      expect(receiver.of('key.expiring', soon.id)[0]?.json.data).toMatchObject({ keyName: 'expiring', daysUntilExpiration: 5, thresholdDays: 7 });
      await vi.waitFor(() => expect(receiver.of('key.expired', gone.id)).toHaveLength(1));
      expect((await expiry.getKeysExpiringSoon(10)).map((k) => k.id)).toContain(soon.id);
      expect((await expiry.getKeysExpiringSoon(10)).map((k) => k.id)).not.toContain(later.id);
    });
  });

  describe('KeyTemplateService', () => {
    it('gives the settings of a template, with overrides, for ApiKeyService.create', async () => {
      const templates = nest.get(KeyTemplateService);
      templates.registerTemplate({ id: 'prod', name: 'Production', config: { scopes: ['read:projects'], environment: 'production', tags: ['production'], quotaMax: 1000, quotaPeriod: 'monthly' } });
      const key = await keys.create(templates.createFromTemplate('prod', 'from-template', { owner: 'team-backend' }));
      expect(key).toMatchObject({ name: 'from-template', scopes: ['read:projects'], environment: 'production', tags: ['production'], quotaMax: 1000, quotaPeriod: 'monthly', owner: 'team-backend' });
      expect(templates.getTemplates().map((t) => t.id)).toEqual(['prod']);
      expect(() => templates.createFromTemplate('nope', 'x')).toThrow(/not found/);
      templates.removeTemplate('prod');
      expect(templates.getTemplate('prod')).toBeNull();
    });
  });

  describe('IpRulesService', () => {
    it('changes the whitelist and blacklist that the guard enforces, from the next request', async () => {
      const rules = nest.get(IpRulesService);
      const key = await keys.create({ name: 'ip-rules' });
      expect((await get(key.token)).status).toBe(200);
      await rules.addToBlacklist(key.id, '127.0.0.1');
      const refused = await get(key.token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('ip_not_allowed');
      expect(await rules.getRules(key.id)).toEqual({ ipWhitelist: [], ipBlacklist: ['127.0.0.1'] });
      await rules.removeFromBlacklist(key.id, '127.0.0.1');
      expect((await get(key.token)).status).toBe(200);
      await rules.setRules(key.id, { ipWhitelist: ['10.0.0.0/8'] });
      expect((await get(key.token)).status).toBe(403);
      await rules.addToWhitelist(key.id, '127.0.0.0/8');
      expect((await get(key.token)).status).toBe(200);
      expect((await keys.findById(key.id)).ipWhitelist).toEqual(['10.0.0.0/8', '127.0.0.0/8']);
      await expect(rules.addToWhitelist(key.id, 'not-an-ip')).rejects.toMatchObject({ status: 400 });
      await expect(rules.getRules('no-such-key')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
    });
  });

  describe('KeyRestoreService', () => {
    it('undoes a revocation: the same token passes again', async () => {
      const restore = nest.get(KeyRestoreService);
      const key = await keys.create({ name: 'restorable' });
      await keys.revoke(key.id, { reason: 'by mistake' });
      expect((await get(key.token)).status).toBe(401);
      expect((await restore.getRevokedKeys()).map((k) => k.id)).toContain(key.id);
      const restored = await restore.restore(key.id);
      expect(restored).toMatchObject({ state: 'active', revokedAt: null, revocationReason: null });
      expect((await get(key.token)).status).toBe(200);
      await expect(restore.restore(key.id)).rejects.toMatchObject({ status: 409 });
      await expect(restore.restore('no-such-key')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
    });

    it('refuses a key retired by a rotation', async () => {
      const key = await keys.create({ name: 'rotated-away' });
      await keys.rotate(key.id, { revokeOldKey: true });
      await expect(nest.get(KeyRestoreService).restore(key.id)).rejects.toMatchObject({ status: 409 });
    });
  });
});
