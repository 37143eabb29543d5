import { createHmac, randomUUID } from 'node:crypto';
import { BadRequestException, Controller, Get, Post } from '@nestjs/common';
import { Elyzor } from '@elyzor/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ApiKeyAuth,
  ApiKeyModule,
  ApiKeyNotFoundException,
  ApiKeyService,
  AuditLogService,
  BulkOperationsService,
  ExpirationNotificationService,
  IpRulesService,
  KeyRestoreService,
  KeySuspensionService,
  KeyTemplateService,
  QuotaService,
  RateLimitService,
  Scopes,
} from '../src/index.js';
import { startReceiver } from './webhook-receiver.js';
import { hangingUp, startElyzor, type RunningElyzor } from '../../sdk/test/helpers.js';
import { call, defined, startNest, type RunningNest } from './helpers.js';

/**
 * Remote mode against a real Elyzor: the keys are an Elyzor project's, managed with a root key
 * and verified by Elyzor; the Nest app stores nothing.
 */
@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  findAll(): unknown[] {
    return [];
  }

  @Post()
  @ApiKeyAuth()
  @Scopes('read:projects', 'write:projects')
  create(): unknown {
    return { created: true };
  }
}

const ACTIONS = ['read_key', 'create_key', 'update_key', 'rotate_key', 'revoke_key'];

let elyzor: RunningElyzor;
let nest: RunningNest;
let service: ApiKeyService;
let projectId: string;
let rootKey: string;
const get = (token: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> =>
  call(`${nest.baseUrl}/projects`, { headers: { 'x-api-key': token } });

beforeAll(async () => {
  elyzor = await startElyzor();
  const admin = new Elyzor({ baseUrl: elyzor.baseUrl });
  await admin.auth.register(`nest-${randomUUID()}@example.com`, 'correct horse battery');
  const project = await admin.projects.create({ name: 'nest-remote' });
  projectId = project.id;
  rootKey = (await admin.rootKeys.create(project.workspaceId, { name: 'nest app', permissions: ACTIONS.map((a) => `project.${project.id}.${a}`) })).key;
  nest = await startNest([ApiKeyModule.register({ adapter: 'elyzor', elyzor: { baseUrl: elyzor.baseUrl, rootKey, projectId } })], [ProjectController]);
  service = nest.get(ApiKeyService);
});
afterAll(async () => {
  await nest?.close();
  await elyzor?.close();
});

describe("remote mode (adapter: 'elyzor')", () => {
  it('creates a key in the Elyzor project, returns its token once, and the guard lets it through', async () => {
    const created = await service.create({ name: 'Remote App', scopes: ['read:projects'], owner: 'team-a', metadata: { region: 'eu' }, environment: 'staging' });
    expect(created.token).toMatch(/^sk_live_/);
    expect(created).toMatchObject({ name: 'Remote App', scopes: ['read:projects'], owner: 'team-a', metadata: { region: 'eu' }, environment: 'staging', state: 'active' });
    const found = await service.findById(created.id);
    expect(found).not.toHaveProperty('token');
    expect(found).toMatchObject({ id: created.id, name: 'Remote App', owner: 'team-a' });
    expect((await service.findAll()).map((k) => k.id)).toContain(created.id);
    const answer = await get(created.token);
    expect(answer.status).toBe(200);
    expect(await service.validate(created.token)).toMatchObject({ id: created.id, name: 'Remote App', scopes: ['read:projects'] });
  });

  it('refusals keep their statuses: missing/invalid/revoked 401, scopes/IP/suspended 403, rate limit 429 with Retry-After', async () => {
    expect((await call(`${nest.baseUrl}/projects`)).body).toMatchObject({ statusCode: 401, code: 'missing_api_key' });
    expect((await get('sk_live_nothing.here')).body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });

    const reader = await service.create({ name: 'reader', scopes: ['read:projects'] });
    const refused = await call(`${nest.baseUrl}/projects`, { method: 'POST', headers: { 'x-api-key': reader.token } });
    expect(refused.body).toMatchObject({ statusCode: 403, code: 'insufficient_scope', missingScopes: ['write:projects'] });

    const office = await service.create({ name: 'office', ipWhitelist: ['10.0.0.0/8'] });
    expect((await get(office.token)).body).toMatchObject({ statusCode: 403, code: 'ip_not_allowed' });

    const paused = await service.create({ name: 'paused' });
    await nest.get(KeySuspensionService).suspend(paused.id, 'billing');
    expect((await get(paused.token)).body).toMatchObject({ statusCode: 403, code: 'key_suspended' });
    expect((await service.findById(paused.id))).toMatchObject({ state: 'suspended', suspensionReason: 'billing' });
    await nest.get(KeySuspensionService).unsuspend(paused.id);
    expect((await get(paused.token)).status).toBe(200);

    const limited = await service.create({ name: 'limited', rateLimitMax: 1, rateLimitWindowMs: 60_000 });
    expect((await get(limited.token)).status).toBe(200);
    const tooMany = await get(limited.token);
    expect(tooMany.body).toMatchObject({ statusCode: 429, code: 'rate_limit_exceeded' });
    expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const revoked = await service.create({ name: 'gone' });
    expect(await service.revoke(revoked.id, { reason: 'leaked' })).toMatchObject({ state: 'revoked', revocationReason: 'leaked' });
    expect((await get(revoked.token)).body).toMatchObject({ statusCode: 401, code: 'key_revoked' });
  });

  it('rotate with revokeOldKey: the new key works, the old one stops (at once, or after the grace period)', async () => {
    const old = await service.create({ name: 'rotating', scopes: ['read:projects'] });
    const graced = await service.rotate(old.id, { revokeOldKey: true, gracePeriodHours: 1 });
    expect(graced.token).not.toBe(old.token);
    expect((await get(graced.token)).status).toBe(200);
    expect((await get(old.token)).status).toBe(200);
    const next = await service.rotate(graced.id, { revokeOldKey: true });
    expect((await get(graced.token)).status).toBe(401);
    expect((await get(next.token)).status).toBe(200);
    // Elyzor's rotation always retires the old key: keeping it is refused rather than ignored.
    await expect(service.rotate(next.id)).rejects.toBeInstanceOf(BadRequestException);
  });

  it('an unknown id is ApiKeyNotFoundException', async () => {
    await expect(service.findById(randomUUID())).rejects.toBeInstanceOf(ApiKeyNotFoundException);
    await expect(service.revoke(randomUUID())).rejects.toBeInstanceOf(ApiKeyNotFoundException);
  });

  it('an Elyzor out of reach is 503, never a pass', async () => {
    const down = await hangingUp();
    const offline = await startNest([ApiKeyModule.register({ adapter: 'elyzor', elyzor: { baseUrl: down.baseUrl, rootKey, projectId } })], [ProjectController]);
    try {
      const answer = await call(`${offline.baseUrl}/projects`, { headers: { 'x-api-key': 'sk_live_abc.def' } });
      expect(answer.body).toMatchObject({ statusCode: 503, code: 'service_unavailable' });
    } finally {
      await offline.close();
      await down.close();
    }
  });
});

describe("the seed's services in remote mode", () => {
  it('IP rules, bulk operations, templates and webhooks work on the Elyzor project', async () => {
    const receiver = await startReceiver();
    const app = await startNest(
      [
        ApiKeyModule.register({
          adapter: 'elyzor',
          elyzor: { baseUrl: elyzor.baseUrl, rootKey, projectId },
          enableWebhooks: true,
          webhooks: [{ url: receiver.url, secret: 'plain-secret', events: ['key.created', 'key.revoked', 'key.expiring'] }],
          enableAuditLogging: true,
          auditLogOptions: { logToConsole: false },
        }),
      ],
      [ProjectController],
    );
    const request = (token: string): Promise<number> => call(`${app.baseUrl}/projects`, { headers: { 'x-api-key': token } }).then((r) => r.status);
    try {
      const keys = app.get(ApiKeyService);
      const templates = app.get(KeyTemplateService);
      templates.registerTemplate({ id: 'reader', name: 'Reader', config: { scopes: ['read:projects'] } });
      const made = await app.get(BulkOperationsService).bulkCreate([templates.createFromTemplate('reader', 'remote-bulk-1'), templates.createFromTemplate('reader', 'remote-bulk-2')]);
      expect(made).toMatchObject({ success: 2, failed: 0 });
      const first = defined(made.results[0]?.key, 'the first key');
      const second = defined(made.results[1]?.key, 'the second key');
      expect(await request(first.token)).toBe(200);

      const rules = app.get(IpRulesService);
      await rules.addToBlacklist(first.id, '127.0.0.1');
      expect(await request(first.token)).toBe(403);
      expect(await rules.getRules(first.id)).toEqual({ ipWhitelist: [], ipBlacklist: ['127.0.0.1'] });
      await rules.removeFromBlacklist(first.id, '127.0.0.1');
      expect(await request(first.token)).toBe(200);

      expect(await app.get(BulkOperationsService).bulkRevoke([second.id])).toMatchObject({ success: 1 });
      expect(await request(second.token)).toBe(401);

      // Deliveries of the module's own changes, signed with the receiver's secret.
      await vi.waitFor(() => expect(receiver.of('key.created', first.id)).toHaveLength(1));
      await vi.waitFor(() => expect(receiver.of('key.revoked', second.id)).toHaveLength(1));
      const delivery = defined(receiver.of('key.created', first.id)[0], 'a delivery');
      const signed = `${String(delivery.headers['webhook-id'])}.${String(delivery.headers['webhook-timestamp'])}.${delivery.body}`;
      expect(delivery.headers['webhook-signature']).toBe(`v1,${createHmac('sha256', 'plain-secret').update(signed).digest('base64')}`);

      // Expiration notices are kept in the key's Elyzor metadata: sent once.
      const expiring = await keys.create({ name: 'remote-expiring', expiresAt: new Date(Date.now() + 3 * 86_400_000) });
      const expiry = app.get(ExpirationNotificationService);
      expect(await expiry.checkExpiringKeys()).toContainEqual({ keyId: expiring.id, event: 'key.expiring', thresholdDays: 7 });
      expect((await expiry.checkExpiringKeys()).map((n) => n.keyId)).not.toContain(expiring.id);
      await vi.waitFor(() => expect(receiver.of('key.expiring', expiring.id)).toHaveLength(1));
    } finally {
      await app.close();
      await receiver.close();
    }
  });

  it("what reads the app's own database answers 501 not_available_in_remote_mode", async () => {
    const key = await service.create({ name: 'remote-local-only' });
    await service.revoke(key.id);
    for (const attempt of [
      () => nest.get(KeyRestoreService).restore(key.id),
      () => nest.get(QuotaService).getQuotaStatus(key.id),
      () => nest.get(RateLimitService).getRateLimitStatus(key.id),
      () => nest.get(AuditLogService).query({ keyId: key.id }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ status: 501, response: { code: 'not_available_in_remote_mode' } });
    }
    // Elyzor counts quotas per day or month: a yearly one is refused, not changed.
    await expect(service.create({ name: 'yearly', quotaMax: 10, quotaPeriod: 'yearly' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/yearly/) as unknown });
    // The module's own ad-hoc limit needs no database.
    expect(await nest.get(RateLimitService).checkRateLimit(key.id, { maxRequests: 1, windowMs: 60_000 })).toBe(true);
  });
});

