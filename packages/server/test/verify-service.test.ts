import { CHECKSUM_LENGTH, generateCredential } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, createService, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

const INVALID_KEY = { valid: false, error: 'invalid_key' };

/** The same credential with one character of its secret changed: its checksum no longer matches. */
function withOneCharacterChanged(key: string): string {
  const at = key.length - CHECKSUM_LENGTH - 5;
  const replacement = key[at] === 'A' ? 'B' : 'A';
  return key.slice(0, at) + replacement + key.slice(at + 1);
}

function expectInvalidKey(response: LightMyRequestResponse, label?: string): void {
  expect(response.statusCode, label).toBe(401);
  expect(response.json()).toEqual(INVALID_KEY);
}

describe(`verify-service (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 200 with the project, the service and the allowance left', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const service = await createService(t.app, user.accessToken, projectId, 'billing-service');
    const response = await verifyService(t.app, service.key);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      valid: true,
      projectId,
      service: { id: service.id, name: 'billing-service' },
      rateLimitRemaining: 99,
    });
    const again = await verifyService(t.app, service.key);
    expect(again.json()).toMatchObject({ valid: true, rateLimitRemaining: 98 });
  });

  it('tells apart two services of the same project', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const billing = await createService(t.app, user.accessToken, projectId, 'billing-service');
    const orders = await createService(t.app, user.accessToken, projectId, 'order-service');
    expect((await verifyService(t.app, billing.key)).json()).toMatchObject({ service: { id: billing.id, name: 'billing-service' } });
    expect((await verifyService(t.app, orders.key)).json()).toMatchObject({ service: { id: orders.id, name: 'order-service' } });
  });

  it('refuses an API key (sk_live_) with exactly 401 invalid_key', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    expectInvalidKey(await verifyService(t.app, key.key));
  });

  it('refuses a missing header, another scheme, or a malformed, altered or unknown credential with 401 invalid_key', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const service = await createService(t.app, user.accessToken, projectId);
    expectInvalidKey(await t.app.inject({ method: 'POST', url: '/v1/verify/service' }), 'no header');
    expectInvalidKey(
      await t.app.inject({ method: 'POST', url: '/v1/verify/service', headers: { authorization: `Basic ${service.key}` } }),
      'Basic scheme',
    );
    for (const token of ['svc_live_abc', 'hello', service.key.slice(0, -1), withOneCharacterChanged(service.key), generateCredential('svc').token]) {
      expectInvalidKey(await verifyService(t.app, token), token);
    }
  });

  it("refuses a service of a deleted project with 401 invalid_key", async () => {
    const { user, projectId } = await userWithProject(t.app);
    const service = await createService(t.app, user.accessToken, projectId);
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}`, headers: bearer(user.accessToken) });
    expect(deleted.statusCode).toBe(204);
    expectInvalidKey(await verifyService(t.app, service.key));
  });

  it('answers 403 service_revoked on the first request after revocation', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const service = await createService(t.app, user.accessToken, projectId);
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/services/${service.id}`, headers: bearer(user.accessToken) });
    expect(revoke.statusCode).toBe(204);
    const response = await verifyService(t.app, service.key);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ valid: false, error: 'service_revoked' });
  });

  it("verifies a rotated service's new credential under the same name, and refuses the old one", async () => {
    const { user, projectId } = await userWithProject(t.app);
    const service = await createService(t.app, user.accessToken, projectId, 'order-service');
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    const rotate = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${projectId}/services/${service.id}/rotate`,
      headers: bearer(user.accessToken),
    });
    expect(rotate.statusCode).toBe(201);
    const rotated = rotate.json<{ id: string; name: string; key: string }>();
    expect(rotated.key).not.toBe(service.key);
    expect(rotated.name).toBe('order-service');

    const fresh = await verifyService(t.app, rotated.key);
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ valid: true, projectId, service: { id: rotated.id, name: 'order-service' } });

    const old = await verifyService(t.app, service.key);
    expect(old.statusCode).toBe(403);
    expect(old.json()).toEqual({ valid: false, error: 'service_revoked' });
  });

  describe('rate limit (limit 3)', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startApp({ env: { RATE_LIMIT_DEFAULT: '3' } });
    });
    afterAll(async () => {
      await limited.close();
    });

    it('answers 429 with retryAfter and a Retry-After header once the limit is spent', async () => {
      const { user, projectId } = await userWithProject(limited.app);
      const service = await createService(limited.app, user.accessToken, projectId);
      const remaining: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await verifyService(limited.app, service.key);
        expect(response.statusCode).toBe(200);
        remaining.push(response.json<{ rateLimitRemaining: unknown }>().rateLimitRemaining);
      }
      expect(remaining).toEqual([2, 1, 0]);

      const response = await verifyService(limited.app, service.key);
      expect(response.statusCode).toBe(429);
      expect(response.json()).toEqual({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });
      const { retryAfter } = response.json<{ retryAfter: number }>();
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(response.headers['retry-after']).toBe(String(retryAfter));
    });

    it('limits each service separately', async () => {
      const { user, projectId } = await userWithProject(limited.app);
      const first = await createService(limited.app, user.accessToken, projectId);
      const second = await createService(limited.app, user.accessToken, projectId);
      for (let i = 0; i < 3; i++) expect((await verifyService(limited.app, first.key)).statusCode).toBe(200);
      expect((await verifyService(limited.app, first.key)).statusCode).toBe(429);
      const response = await verifyService(limited.app, second.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, service: { id: second.id }, rateLimitRemaining: 2 });
    });
  });
});
