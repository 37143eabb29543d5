import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, bearer, createService, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

type Body = Record<string, unknown>;

const HOUR = 3_600_000;
const inAnHour = (): string => new Date(Date.now() + HOUR).toISOString();
const anHourAgo = (): string => new Date(Date.now() - HOUR).toISOString();
const serviceName = (): string => `svc-${randomUUID().slice(0, 8)}`;

function patchService(app: App, token: string, projectId: string, serviceId: string, payload: Body): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/services/${serviceId}`, headers: bearer(token), payload });
}

function getService(app: App, token: string, projectId: string, serviceId: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/v1/projects/${projectId}/services/${serviceId}`, headers: bearer(token) });
}

function revokeService(app: App, token: string, projectId: string, serviceId: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/services/${serviceId}`, headers: bearer(token) });
}

function expectFailure(response: LightMyRequestResponse, status: number, error: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.json()).toEqual({ valid: false, error });
}

function statusCounts(responses: LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    const body = response.json<{ valid: boolean; error?: string }>();
    const label = body.valid ? 'valid' : (body.error ?? 'unknown');
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

async function awayFromWindowEdge(windowMs: number): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - 5_000) await new Promise((resolve) => setTimeout(resolve, windowMs - into + 250));
}

describe(`policy on service identities (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('tells the caller the service, its id, scopes, metadata, owner, environment and expiry', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const name = serviceName();
    const expiresAt = inAnHour();
    const service = await createService(t.app, user.accessToken, projectId, name, {
      scopes: ['read:orders'],
      metadata: { team: 'payments' },
      ownerId: 'platform',
      expiresAt,
    });
    const response = await verifyService(t.app, service.key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      valid: true,
      projectId,
      service: { id: service.id, name },
      rateLimitRemaining: 99,
      keyId: service.id,
      scopes: ['read:orders'],
      metadata: { team: 'payments' },
      ownerId: 'platform',
      environment: 'live',
      expiresAt,
    });
  });

  describe('scopes', () => {
    it('grants requested scopes it holds and names the missing ones', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { scopes: ['read:orders', 'admin:*'] });
      expect((await verifyService(t.app, service.key, { scopes: ['read:orders', 'admin:queues'] })).statusCode).toBe(200);
      const refused = await verifyService(t.app, service.key, { scopes: ['read:orders', 'write:orders'] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['write:orders'] });
    });

    it('treats * as every scope', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { scopes: ['*'] });
      expect((await verifyService(t.app, service.key, { scopes: ['anything:at-all', 'admin:x'] })).statusCode).toBe(200);
    });

    it('grants resource scopes on their resource only', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { resources: { 'queue:emails': ['publish'] } });
      expect((await verifyService(t.app, service.key, { scopes: ['publish'], resource: 'queue:emails' })).statusCode).toBe(200);
      const refused = await verifyService(t.app, service.key, { scopes: ['publish'], resource: 'queue:sms' });
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['publish'] });
    });
  });

  describe('lifecycle outcomes', () => {
    it('answers key_disabled for a disabled service and works again once enabled, with a warm cache', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId);
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
      expect((await patchService(t.app, user.accessToken, projectId, service.id, { enabled: false })).statusCode).toBe(200);
      expectFailure(await verifyService(t.app, service.key), 403, 'key_disabled');
      expect((await patchService(t.app, user.accessToken, projectId, service.id, { enabled: true })).statusCode).toBe(200);
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    });

    it('answers key_disabled for a service created disabled', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { enabled: false });
      expectFailure(await verifyService(t.app, service.key), 403, 'key_disabled');
    });

    it('answers key_expired once expiresAt has passed', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { expiresAt: anHourAgo() });
      expectFailure(await verifyService(t.app, service.key), 403, 'key_expired');
      expect((await patchService(t.app, user.accessToken, projectId, service.id, { expiresAt: inAnHour() })).statusCode).toBe(200);
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    });

    it('answers service_revoked, never key_revoked, once revoked', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId);
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
      expect((await revokeService(t.app, user.accessToken, projectId, service.id)).statusCode).toBe(204);
      expectFailure(await verifyService(t.app, service.key), 403, 'service_revoked');
    });

    it('answers service_revoked for a revoked service that is also disabled and expired', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { enabled: false, expiresAt: anHourAgo() });
      expect((await revokeService(t.app, user.accessToken, projectId, service.id)).statusCode).toBe(204);
      expectFailure(await verifyService(t.app, service.key), 403, 'service_revoked');
    });

    it('keeps the revocation reason with the record', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId);
      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/v1/projects/${projectId}/services/${service.id}`,
        headers: bearer(user.accessToken),
        payload: { reason: 'decommissioned' },
      });
      expect(revoke.statusCode).toBe(204);
      expect((await getService(t.app, user.accessToken, projectId, service.id)).json()).toMatchObject({
        status: 'revoked',
        revoked: true,
        revokeReason: 'decommissioned',
      });
    });
  });

  describe('IP rules', () => {
    it('allows the allow list, lets the deny list win, and refuses a missing address', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), {
        ipAllowlist: ['10.0.0.0/8', 'fd00::/8'],
        ipDenylist: ['10.9.0.0/16'],
      });
      expect((await verifyService(t.app, service.key, { ip: '10.1.2.3' })).statusCode).toBe(200);
      expect((await verifyService(t.app, service.key, { ip: 'fd12:3456::1' })).statusCode).toBe(200);
      expectFailure(await verifyService(t.app, service.key, { ip: '10.9.1.1' }), 403, 'ip_not_allowed');
      expectFailure(await verifyService(t.app, service.key, { ip: '192.168.1.1' }), 403, 'ip_not_allowed');
      expectFailure(await verifyService(t.app, service.key), 403, 'ip_not_allowed');
    });

    it('refuses an invalid CIDR with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await t.app.inject({
        method: 'POST',
        url: `/v1/projects/${projectId}/services`,
        headers: bearer(user.accessToken),
        payload: { name: serviceName(), ipAllowlist: ['10.0.0.0/99'] },
      });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('limits', () => {
    it('applies its own rate limit and answers rate_limit_exceeded past it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { rateLimit: { limit: 2, windowSeconds: 60 } });
      const first = await verifyService(t.app, service.key);
      expect(first.json()).toMatchObject({ valid: true, rateLimitRemaining: 1 });
      expect(first.headers['ratelimit-policy']).toMatch(/q=2;w=60/);
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
      const refused = await verifyService(t.app, service.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });
      expect(refused.headers['retry-after']).toBe(String(refused.json<{ retryAfter: number }>().retryAfter));
    });

    it('lets a token bucket spend its burst', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), {
        rateLimit: { algorithm: 'token_bucket', limit: 1, windowSeconds: 3_600, burst: 3 },
      });
      const responses: LightMyRequestResponse[] = [];
      for (let i = 0; i < 4; i++) responses.push(await verifyService(t.app, service.key));
      expect(statusCounts(responses)).toEqual({ valid: 3, rate_limit_exceeded: 1 });
    });

    it('is never limited with algorithm none', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { rateLimit: { algorithm: 'none' } });
      const responses: LightMyRequestResponse[] = [];
      for (let i = 0; i < 120; i++) responses.push(await verifyService(t.app, service.key));
      expect(statusCounts(responses)).toEqual({ valid: 120 });
    });

    it('admits exactly 100 of 500 simultaneous verifications at a limit of 100 per minute', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { rateLimit: { limit: 100, windowSeconds: 60 } });
      await awayFromWindowEdge(60_000);
      const responses = await Promise.all(Array.from({ length: 500 }, () => verifyService(t.app, service.key)));
      expect(statusCounts(responses)).toEqual({ valid: 100, rate_limit_exceeded: 400 });
    });

    it('counts a daily quota down and answers quota_exceeded with retryAfter', async () => {
      await awayFromWindowEdge(86_400_000);
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { quota: { limit: 2, period: 'day' } });
      expect((await verifyService(t.app, service.key)).json()).toMatchObject({ valid: true, quotaRemaining: 1 });
      expect((await verifyService(t.app, service.key)).json()).toMatchObject({ valid: true, quotaRemaining: 0 });
      const refused = await verifyService(t.app, service.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual({ valid: false, error: 'quota_exceeded', retryAfter: expect.any(Number) });
      const now = new Date();
      const toMidnight = Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000);
      expect(Math.abs(refused.json<{ retryAfter: number }>().retryAfter - toMidnight)).toBeLessThanOrEqual(5);
    });

    it('admits exactly 50 of 200 simultaneous verifications with a daily quota of 50', async () => {
      await awayFromWindowEdge(86_400_000);
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), {
        quota: { limit: 50, period: 'day' },
        rateLimit: { algorithm: 'none' },
      });
      const responses = await Promise.all(Array.from({ length: 200 }, () => verifyService(t.app, service.key)));
      expect(statusCounts(responses)).toEqual({ valid: 50, quota_exceeded: 150 });
    });

    it('spends credits by cost', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { credits: { remaining: 10 } });
      const left: unknown[] = [];
      for (let i = 0; i < 3; i++) left.push((await verifyService(t.app, service.key, { cost: 3 })).json<Body>().creditsRemaining);
      expect(left).toEqual([7, 4, 1]);
      const refused = await verifyService(t.app, service.key, { cost: 3 });
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
    });
  });

  describe('test environment', () => {
    it('issues svc_test_ identities that verify with environment test', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const name = serviceName();
      const service = await createService(t.app, user.accessToken, projectId, name, { environment: 'test' });
      expect(service.key.startsWith('svc_test_')).toBe(true);
      expect(String(service.prefix).startsWith('svc_test_')).toBe(true);
      const response = await verifyService(t.app, service.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, environment: 'test', service: { id: service.id, name } });
    });

    it('never verifies a svc_test_ identity at the API key endpoint', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { environment: 'test' });
      expectFailure(await verifyKey(t.app, service.key), 401, 'invalid_key');
    });
  });

  describe('PATCH', () => {
    it('refuses an unknown field with 400 and changes nothing', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const name = serviceName();
      const service = await createService(t.app, user.accessToken, projectId, name, { scopes: ['read:a'] });
      const response = await patchService(t.app, user.accessToken, projectId, service.id, { scopes: ['read:b'], label: 'nope', extra: true });
      expect(response.statusCode).toBe(400);
      expect((await getService(t.app, user.accessToken, projectId, service.id)).json()).toMatchObject({ name, scopes: ['read:a'] });
    });

    it('refuses to change the environment', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId);
      expect((await patchService(t.app, user.accessToken, projectId, service.id, { environment: 'test' })).statusCode).toBe(400);
      expect((await getService(t.app, user.accessToken, projectId, service.id)).json()).toMatchObject({ environment: 'live' });
    });

    it('changes scopes and IP rules of a cached service for the next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { scopes: ['read:a'] });
      expect((await verifyService(t.app, service.key, { scopes: ['read:a'] })).statusCode).toBe(200);
      const patched = await patchService(t.app, user.accessToken, projectId, service.id, { scopes: ['read:b'], ipAllowlist: ['203.0.113.0/24'] });
      expect(patched.statusCode).toBe(200);
      expect((await verifyService(t.app, service.key, { scopes: ['read:a'], ip: '203.0.113.1' })).json()).toEqual({
        valid: false,
        error: 'insufficient_scope',
        missingScopes: ['read:a'],
      });
      expectFailure(await verifyService(t.app, service.key, { scopes: ['read:b'] }), 403, 'ip_not_allowed');
      expect((await verifyService(t.app, service.key, { scopes: ['read:b'], ip: '203.0.113.1' })).statusCode).toBe(200);
    });

    it('refuses resource names of 0 or more than 128 characters, on create and on PATCH', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (const name of ['', 'r'.repeat(129), 'r'.repeat(5_000)]) {
        const created = await t.app.inject({
          method: 'POST',
          url: `/v1/projects/${projectId}/services`,
          headers: bearer(user.accessToken),
          payload: { name: serviceName(), resources: { [name]: ['read'] } },
        });
        expect(created.statusCode, `${name.length} characters`).toBe(400);
        expect(created.json()).toMatchObject({ error: 'validation_error' });
      }
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { resources: { ['r'.repeat(128)]: ['read'] } });
      const patched = await patchService(t.app, user.accessToken, projectId, service.id, { resources: { '': ['read'] } });
      expect(patched.statusCode).toBe(400);
      expect((await getService(t.app, user.accessToken, projectId, service.id)).json()).toMatchObject({ resources: { ['r'.repeat(128)]: ['read'] } });
    });

    it('refuses metadata over 4 KB', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId);
      const response = await patchService(t.app, user.accessToken, projectId, service.id, { metadata: { blob: 'z'.repeat(5_000) } });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('usage and lists', () => {
    it('returns one service with its usage', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, serviceName(), { scopes: ['read:a'] });
      await verifyService(t.app, service.key, { scopes: ['read:a'] });
      await verifyService(t.app, service.key, { scopes: ['write:a'] });
      const response = await getService(t.app, user.accessToken, projectId, service.id);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: service.id, usage: { totalVerifications: 2, last24h: 2, errorRate: 0.5 } });
      const series = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/services/${service.id}/usage?range=7d`, headers: bearer(user.accessToken) });
      const today = new Date().toISOString().slice(0, 10);
      expect(series.json<{ days: unknown[] }>().days).toContainEqual({ date: today, count: 2, errors: 1 });
    });

    it('filters services by status, environment, tag and owner', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const active = await createService(t.app, user.accessToken, projectId, serviceName(), { tags: ['core'], ownerId: 'team-a' });
      const disabled = await createService(t.app, user.accessToken, projectId, serviceName(), { enabled: false });
      const test = await createService(t.app, user.accessToken, projectId, serviceName(), { environment: 'test' });
      const revoked = await createService(t.app, user.accessToken, projectId);
      expect((await revokeService(t.app, user.accessToken, projectId, revoked.id)).statusCode).toBe(204);
      const ids = async (query: string): Promise<string[]> => {
        const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/services${query}`, headers: bearer(user.accessToken) });
        expect(response.statusCode).toBe(200);
        return response.json<Array<{ id: string }>>().map((s) => s.id);
      };
      expect(await ids('?status=disabled')).toEqual([disabled.id]);
      expect(await ids('?status=revoked')).toEqual([revoked.id]);
      expect(await ids('?status=active')).toEqual([test.id, active.id]);
      expect(await ids('?environment=test')).toEqual([test.id]);
      expect(await ids('?tag=core')).toEqual([active.id]);
      expect(await ids('?ownerId=team-a')).toEqual([active.id]);
    });
  });
});
