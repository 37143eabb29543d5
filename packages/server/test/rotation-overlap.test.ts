import { randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, bearer, createKey, createService, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

type Body = Record<string, unknown>;

const SECOND = 1_000;

function rotate(app: App, token: string, projectId: string, segment: 'keys' | 'services', id: string, payload?: Body): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/v1/projects/${projectId}/${segment}/${id}/rotate`,
    headers: bearer(token),
    ...(payload !== undefined ? { payload } : {}),
  });
}

function expectFailure(response: LightMyRequestResponse, status: number, error: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.json()).toEqual({ valid: false, error });
}

/** Milliseconds from the clock's now to one second past the next midnight UTC. */
function untilJustAfterMidnight(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1) + SECOND - now;
}

describe(`rotation with overlap and time-bound policy (${backend})`, () => {
  let t: TestApp;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await startApp({ clock });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('rotating a key with gracePeriodSeconds', () => {
    it('keeps both keys working during the overlap and retires the old one when it ends', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId);
      // Cached before the rotation: the overlap must end for a cached key too.
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);

      const rotatedAt = clock.now();
      const response = await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds: 300 });
      expect(response.statusCode).toBe(201);
      const fresh = response.json<{ id: string; key: string; previousKeyExpiresAt: string }>();
      expect(fresh.id).not.toBe(old.id);
      expect(fresh.key).not.toBe(old.key);
      expect(fresh.key.startsWith('sk_live_')).toBe(true);
      expect(fresh.previousKeyExpiresAt).toBe(new Date(rotatedAt + 300 * SECOND).toISOString());

      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      expect((await verifyKey(t.app, fresh.key)).statusCode).toBe(200);

      clock.advance(299 * SECOND);
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      expect((await verifyKey(t.app, fresh.key)).statusCode).toBe(200);

      clock.advance(2 * SECOND);
      expectFailure(await verifyKey(t.app, old.key), 403, 'key_revoked');
      const still = await verifyKey(t.app, fresh.key);
      expect(still.statusCode).toBe(200);
      expect(still.json()).toMatchObject({ valid: true, keyId: fresh.id });
    });

    it('shows the old key as revoked and replaced once the overlap has ended', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId);
      const fresh = (await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds: 60 })).json<{ id: string }>();
      clock.advance(61 * SECOND);
      const view = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${old.id}`, headers: bearer(user.accessToken) });
      expect(view.json()).toMatchObject({ id: old.id, revoked: true, status: 'revoked', replacedBy: fresh.id });
    });

    it('carries the policy over to the new key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const policy = {
        label: 'partner',
        scopes: ['read:invoices', 'admin:*'],
        resources: { 'project:123': ['write'] },
        metadata: { plan: 'enterprise', region: 'eu' },
        ownerId: 'customer-7',
        tags: ['enterprise'],
        rateLimit: { limit: 7, windowSeconds: 30 },
        quota: { limit: 1_000, period: 'month' },
        ipAllowlist: ['203.0.113.0/24'],
        ipDenylist: ['203.0.113.66'],
      };
      const old = await createKey(t.app, user.accessToken, projectId, policy);
      const response = await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds: 120 });
      expect(response.statusCode).toBe(201);
      const fresh = response.json<{ id: string; key: string }>();
      expect(fresh).toMatchObject({ ...policy, rateLimit: { limit: 7, windowSeconds: 30 } });

      const verified = await verifyKey(t.app, fresh.key, { scopes: ['read:invoices', 'write'], resource: 'project:123', ip: '203.0.113.5' });
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toMatchObject({
        valid: true,
        keyId: fresh.id,
        scopes: ['read:invoices', 'admin:*'],
        metadata: { plan: 'enterprise', region: 'eu' },
        ownerId: 'customer-7',
        quotaRemaining: expect.any(Number),
      });
      expect(verified.headers['ratelimit-policy']).toMatch(/q=7;w=30/);
      expectFailure(await verifyKey(t.app, fresh.key, { ip: '203.0.113.66' }), 403, 'ip_not_allowed');
      expect((await verifyKey(t.app, fresh.key, { scopes: ['delete:all'], ip: '203.0.113.5' })).json()).toEqual({
        valid: false,
        error: 'insufficient_scope',
        missingScopes: ['delete:all'],
      });
    });

    it('carries a disabled state and an expiry over to the new key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const expiresAt = new Date(clock.now() + 3_600 * SECOND).toISOString();
      const old = await createKey(t.app, user.accessToken, projectId, { enabled: false, expiresAt });
      const fresh = (await rotate(t.app, user.accessToken, projectId, 'keys', old.id)).json<{ key: string }>();
      expect(fresh).toMatchObject({ enabled: false, expiresAt });
      expectFailure(await verifyKey(t.app, fresh.key), 403, 'key_disabled');
    });

    it('ends the overlap at once when the old key is revoked during it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId);
      const fresh = (await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds: 600 })).json<{ key: string }>();
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${old.id}`, headers: bearer(user.accessToken) });
      expect(revoke.statusCode).toBe(204);
      expectFailure(await verifyKey(t.app, old.key), 403, 'key_revoked');
      expect((await verifyKey(t.app, fresh.key)).statusCode).toBe(200);
    });

    it('carries the credit balance already spent over to the new key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 10 } });
      expect((await verifyKey(t.app, old.key, { cost: 6 })).json()).toMatchObject({ valid: true, creditsRemaining: 4 });
      const fresh = (await rotate(t.app, user.accessToken, projectId, 'keys', old.id)).json<{ key: string }>();
      expect((await verifyKey(t.app, fresh.key, { cost: 5 })).json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
      expect((await verifyKey(t.app, fresh.key, { cost: 1 })).json()).toMatchObject({ valid: true, creditsRemaining: 3 });
    });

    it("carries today's quota already used over to the new key", async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId, { quota: { limit: 3, period: 'day' } });
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      const fresh = (await rotate(t.app, user.accessToken, projectId, 'keys', old.id)).json<{ key: string }>();
      expect((await verifyKey(t.app, fresh.key)).json()).toMatchObject({ valid: true, quotaRemaining: 0 });
      expect((await verifyKey(t.app, fresh.key)).json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
    });

    it('revokes the old key at once with gracePeriodSeconds 0', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      const response = await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds: 0 });
      expect(response.statusCode).toBe(201);
      expect(response.json()).not.toHaveProperty('previousKeyExpiresAt');
      expectFailure(await verifyKey(t.app, old.key), 403, 'key_revoked');
      expect((await verifyKey(t.app, response.json<{ key: string }>().key)).statusCode).toBe(200);
    });

    it('revokes the old key at once when no grace period is given, as in V1', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
      const response = await rotate(t.app, user.accessToken, projectId, 'keys', old.id);
      expect(response.statusCode).toBe(201);
      expectFailure(await verifyKey(t.app, old.key), 403, 'key_revoked');
    });

    it('refuses a negative or fractional grace period', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId);
      for (const gracePeriodSeconds of [-1, 1.5, '300']) {
        const response = await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds });
        expect(response.statusCode, JSON.stringify(gracePeriodSeconds)).toBe(400);
      }
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
    });

    it('keeps test keys in the test environment', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId, { environment: 'test' });
      const fresh = (await rotate(t.app, user.accessToken, projectId, 'keys', old.id, { gracePeriodSeconds: 10 })).json<{ key: string }>();
      expect(fresh.key.startsWith('sk_test_')).toBe(true);
      expect((await verifyKey(t.app, fresh.key)).json()).toMatchObject({ environment: 'test' });
    });
  });

  describe('rotating a service with gracePeriodSeconds', () => {
    it('keeps both identities working during the overlap, then answers service_revoked for the old one', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const name = `svc-${randomUUID().slice(0, 8)}`;
      const old = await createService(t.app, user.accessToken, projectId, name, { scopes: ['read:orders'] });
      expect((await verifyService(t.app, old.key)).statusCode).toBe(200);
      const rotatedAt = clock.now();
      const response = await rotate(t.app, user.accessToken, projectId, 'services', old.id, { gracePeriodSeconds: 90 });
      expect(response.statusCode).toBe(201);
      const fresh = response.json<{ id: string; key: string; previousKeyExpiresAt: string }>();
      expect(fresh).toMatchObject({ name, scopes: ['read:orders'] });
      expect(fresh.previousKeyExpiresAt).toBe(new Date(rotatedAt + 90 * SECOND).toISOString());

      clock.advance(89 * SECOND);
      expect((await verifyService(t.app, old.key)).statusCode).toBe(200);
      expect((await verifyService(t.app, fresh.key)).json()).toMatchObject({ valid: true, service: { id: fresh.id, name } });

      clock.advance(2 * SECOND);
      expectFailure(await verifyService(t.app, old.key), 403, 'service_revoked');
      expect((await verifyService(t.app, fresh.key, { scopes: ['read:orders'] })).statusCode).toBe(200);
    });
  });

  describe('expiry on the clock', () => {
    it('accepts a key until expiresAt and answers key_expired after it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const expiresAt = new Date(clock.now() + 60 * SECOND).toISOString();
      const key = await createKey(t.app, user.accessToken, projectId, { expiresAt });
      const ok = await verifyKey(t.app, key.key);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ valid: true, expiresAt });
      clock.advance(59 * SECOND);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      clock.advance(2 * SECOND);
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_expired');
    });

    it('lists a key as active before expiresAt and as expired after it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { expiresAt: new Date(clock.now() + 60 * SECOND).toISOString() });
      const statusOf = async (): Promise<string> =>
        (await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) })).json<{ status: string }>().status;
      expect(await statusOf()).toBe('active');
      clock.advance(61 * SECOND);
      expect(await statusOf()).toBe('expired');
      const expired = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys?status=expired`, headers: bearer(user.accessToken) });
      expect(expired.json<Array<{ id: string }>>().map((k) => k.id)).toEqual([key.id]);
    });

    it('answers key_expired, not a service word, for an expired service', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, `svc-${randomUUID().slice(0, 8)}`, {
        expiresAt: new Date(clock.now() + 60 * SECOND).toISOString(),
      });
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
      clock.advance(61 * SECOND);
      expectFailure(await verifyService(t.app, service.key), 403, 'key_expired');
    });
  });

  describe('quotas and credits on schedule', () => {
    it('resets a daily quota at midnight UTC', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { quota: { limit: 2, period: 'day' } });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, quotaRemaining: 1 });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, quotaRemaining: 0 });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
      clock.advance(untilJustAfterMidnight(clock.now()));
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, quotaRemaining: 1 });
    });

    it('refills credits at the start of the next interval', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 1, refill: { amount: 3, interval: 'day' } } });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, creditsRemaining: 0 });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
      clock.advance(untilJustAfterMidnight(clock.now()));
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, creditsRemaining: 2 });
    });
  });
});
