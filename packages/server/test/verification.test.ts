import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CHECKSUM_LENGTH, SECRET_BODY_LENGTH, encodeBase62, generateCredential, parseCredential, randomBase62 } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, bearer, createKey, createService, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';

const INVALID_KEY = { valid: false, error: 'invalid_key' };

/** The same key with one character of its secret changed: its checksum no longer matches. */
function withOneCharacterChanged(key: string): string {
  const at = key.length - CHECKSUM_LENGTH - 5;
  const replacement = key[at] === 'A' ? 'B' : 'A';
  return key.slice(0, at) + replacement + key.slice(at + 1);
}

/**
 * A well-formed credential (valid checksum) with the public id of `key` but another secret:
 * what an attacker who saw a key's display prefix could build. Only the digest comparison can
 * refuse it.
 */
function withForgedSecret(key: string): string {
  const body = `${key.slice(0, key.indexOf('.'))}.${randomBase62(SECRET_BODY_LENGTH)}`;
  return body + encodeBase62(crc32(body), CHECKSUM_LENGTH);
}

function verifyWithAuthorization(app: App, authorization: string | undefined): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/verify', headers: authorization === undefined ? {} : { authorization } });
}

/** A distinct client address per test, so that address limits never leak between tests. */
const randomAddress = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function verifyFrom(app: App, key: string, remoteAddress: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(key), remoteAddress });
}

async function revokeKey(app: App, token: string, projectId: string, keyId: string): Promise<void> {
  const response = await app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${keyId}`, headers: bearer(token) });
  expect(response.statusCode).toBe(204);
}

async function totalRequestsOf(app: App, token: string, projectId: string): Promise<Record<string, unknown>> {
  const response = await app.inject({ method: 'GET', url: `/v1/projects/${projectId}/stats`, headers: bearer(token) });
  expect(response.statusCode).toBe(200);
  return response.json();
}

function expectRateLimited(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toEqual({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });
  const { retryAfter } = response.json<{ retryAfter: number }>();
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  // Seconds, not milliseconds: never more than two windows of the limit.
  expect(retryAfter).toBeLessThanOrEqual(120);
  expect(response.headers['retry-after']).toBe(String(retryAfter));
}

/**
 * The default limit counts in windows aligned to the clock's minutes, and a burst that straddles
 * a boundary is estimated by the sliding window (by design, not exactly). Tests that count a
 * burst precisely start it well inside a window.
 */
async function awayFromWindowEdge(windowMs = 60_000): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - 5_000) await new Promise((resolve) => setTimeout(resolve, windowMs - into + 250));
}

describe(`verification (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('a valid key', () => {
    it('answers 200 with its project and the allowance left', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await verifyKey(t.app, key.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, projectId, rateLimitRemaining: 99 });
    });

    it('counts the allowance down with each verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const remaining: unknown[] = [];
      for (let i = 0; i < 3; i++) remaining.push((await verifyKey(t.app, key.key)).json<{ rateLimitRemaining: unknown }>().rateLimitRemaining);
      expect(remaining).toEqual([99, 98, 97]);
    });

    it('carries the rate-limit headers', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await verifyKey(t.app, key.key);
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-policy']).toEqual(expect.any(String));
      expect(response.headers.ratelimit).toEqual(expect.any(String));
      expect(response.headers['ratelimit-policy']).toContain('q=100');
      expect(response.headers.ratelimit).toContain('r=99');
    });

    it('verifies with an empty body, {} or an empty scope list', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      for (const body of [undefined, {}, { scopes: [] }]) {
        const response = await verifyKey(t.app, key.key, body);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({ valid: true, projectId });
      }
    });
  });

  describe('refuses with exactly 401 invalid_key', () => {
    it('when the Authorization header is missing', async () => {
      const response = await verifyWithAuthorization(t.app, undefined);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_KEY);
    });

    it('when the scheme is not Bearer, even around a valid key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      for (const authorization of ['Basic xyz', `Basic ${key.key}`, `Token ${key.key}`, key.key]) {
        const response = await verifyWithAuthorization(t.app, authorization);
        expect(response.statusCode, authorization).toBe(401);
        expect(response.json()).toEqual(INVALID_KEY);
      }
    });

    it('when Bearer carries nothing', async () => {
      for (const authorization of ['Bearer', 'Bearer ', 'Bearer    ']) {
        const response = await verifyWithAuthorization(t.app, authorization);
        expect(response.statusCode, JSON.stringify(authorization)).toBe(401);
        expect(response.json()).toEqual(INVALID_KEY);
      }
    });

    it('when the key is malformed', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const malformed = [
        'hello',
        'sk_live_',
        'sk_live_abc',
        key.key.slice(0, -1),
        `${key.key}x`,
        key.key.replace('sk_live_', 'sk_prod_'),
        key.key.replace('.', '_'),
        key.key.replace('sk_live_', 'SK_LIVE_'),
      ];
      for (const token of malformed) {
        const response = await verifyKey(t.app, token);
        expect(response.statusCode, token).toBe(401);
        expect(response.json()).toEqual(INVALID_KEY);
      }
    });

    it('when one character of a real key is changed', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await verifyKey(t.app, withOneCharacterChanged(key.key));
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_KEY);
    });

    it('when a well-formed key was never issued', async () => {
      const response = await verifyKey(t.app, generateCredential('sk').token);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_KEY);
    });

    it("when a well-formed key carries a real key's public id with another secret", async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      // Verified once first, so that the real record is cached when the forgery arrives.
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      const forged = withForgedSecret(key.key);
      expect(parseCredential(forged)).not.toBeNull();
      const response = await verifyKey(t.app, forged);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_KEY);
    });

    it('when the credential is a service identity (svc_live_)', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId);
      expect(service.key.startsWith('svc_live_')).toBe(true);
      const response = await verifyKey(t.app, service.key);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_KEY);
    });

    it("when the key's project was deleted", async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}`, headers: bearer(user.accessToken) });
      expect(deleted.statusCode).toBe(204);
      const response = await verifyKey(t.app, key.key);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(INVALID_KEY);
    });
  });

  describe('body', () => {
    it('refuses an unknown field with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await verifyKey(t.app, key.key, { scopes: [], admin: true });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
    });

    it('refuses a body that is not JSON with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...bearer(key.key), 'content-type': 'application/json' },
        payload: '{"scopes": [',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
    });
  });

  it('answers 403 key_revoked on the first request after revocation', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    await revokeKey(t.app, user.accessToken, projectId, key.id);
    const response = await verifyKey(t.app, key.key);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ valid: false, error: 'key_revoked' });
  });

  it('admits exactly the limit from a burst of concurrent verifications', async () => {
    await awayFromWindowEdge();
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    // The default limit is 100 per window.
    const responses = await Promise.all(Array.from({ length: 300 }, () => verifyKey(t.app, key.key)));
    const ok = responses.filter((r) => r.statusCode === 200);
    const limited = responses.filter((r) => r.statusCode === 429);
    expect(ok).toHaveLength(100);
    expect(limited).toHaveLength(200);
    for (const response of limited) expect(response.json()).toMatchObject({ valid: false, error: 'rate_limit_exceeded' });
    // Each admitted request was told a different allowance: none was counted twice or skipped.
    const remaining = ok.map((r) => r.json<{ rateLimitRemaining: number }>().rateLimitRemaining).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  describe('per-credential rate limit (limit 5)', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startApp({ env: { RATE_LIMIT_DEFAULT: '5' } });
    });
    afterAll(async () => {
      await limited.close();
    });

    it('answers 429 with retryAfter and a Retry-After header once the limit is spent', async () => {
      const { user, projectId } = await userWithProject(limited.app);
      const key = await createKey(limited.app, user.accessToken, projectId);
      const remaining: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await verifyKey(limited.app, key.key);
        expect(response.statusCode).toBe(200);
        remaining.push(response.json<{ rateLimitRemaining: unknown }>().rateLimitRemaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      expectRateLimited(await verifyKey(limited.app, key.key));
      expectRateLimited(await verifyKey(limited.app, key.key));
    });

    it('limits each credential separately', async () => {
      const { user, projectId } = await userWithProject(limited.app);
      const first = await createKey(limited.app, user.accessToken, projectId);
      const second = await createKey(limited.app, user.accessToken, projectId);
      for (let i = 0; i < 5; i++) expect((await verifyKey(limited.app, first.key)).statusCode).toBe(200);
      expectRateLimited(await verifyKey(limited.app, first.key));
      const response = await verifyKey(limited.app, second.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, projectId, rateLimitRemaining: 4 });
    });

    it('records every verification that names a project, whatever its outcome', async () => {
      const { user, projectId } = await userWithProject(limited.app);
      const a = await createKey(limited.app, user.accessToken, projectId);
      const b = await createKey(limited.app, user.accessToken, projectId);
      const statuses: number[] = [];
      // Key A: 5 valid, then 2 rate-limited.
      for (let i = 0; i < 7; i++) statuses.push((await verifyKey(limited.app, a.key)).statusCode);
      // Key B: 1 valid, then 2 refused as revoked.
      statuses.push((await verifyKey(limited.app, b.key)).statusCode);
      await revokeKey(limited.app, user.accessToken, projectId, b.id);
      statuses.push((await verifyKey(limited.app, b.key)).statusCode);
      statuses.push((await verifyKey(limited.app, b.key)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 200, 403, 403]);
      // These name no project and are not recorded.
      for (const token of [withOneCharacterChanged(a.key), withForgedSecret(a.key), generateCredential('sk').token, 'sk_live_abc']) {
        expect((await verifyKey(limited.app, token)).statusCode).toBe(401);
      }
      expect((await verifyWithAuthorization(limited.app, undefined)).statusCode).toBe(401);

      const stats = await totalRequestsOf(limited.app, user.accessToken, projectId);
      expect(stats).toMatchObject({ totalRequests: 10, rateLimitHits: 2, successRate: 0.6 });
    });
  });

  describe('per-address limit on /v1/verify, unset (the default): off, the failure budget still on', () => {
    let open: TestApp;
    beforeAll(async () => {
      open = await startApp({ env: { IP_RATE_LIMIT_VERIFY: '', IP_RATE_LIMIT_VERIFY_FAILURES: '3', RATE_LIMIT_DEFAULT: '1000000' } });
    });
    afterAll(async () => {
      await open.close();
    });

    it('verifies every valid credential from one busy address, and still refuses its unknown keys past the failure budget', async () => {
      expect(open.config.ipLimits.verify).toBeNull();
      const { user, projectId } = await userWithProject(open.app);
      const key = await createKey(open.app, user.accessToken, projectId);
      const address = randomAddress();
      expect((await verifyFrom(open.app, key.key, address)).statusCode).toBe(200);
      const answers = await Promise.all(Array.from({ length: 500 }, () => verifyFrom(open.app, key.key, address)));
      expect(answers.filter((r) => r.statusCode !== 200).map((r) => r.body)).toEqual([]);
      for (let i = 0; i < 3; i++) expect((await verifyFrom(open.app, generateCredential('sk').token, address)).statusCode).toBe(401);
      expectRateLimited(await verifyFrom(open.app, generateCredential('sk').token, address));
      // Past the failure budget a valid credential still verifies.
      expect((await verifyFrom(open.app, key.key, address)).statusCode).toBe(200);
    });
  });

  describe('per-address limit on /v1/verify (limit 3)', () => {
    let guarded: TestApp;
    beforeAll(async () => {
      guarded = await startApp({ env: { IP_RATE_LIMIT_VERIFY: '3' } });
    });
    afterAll(async () => {
      await guarded.close();
    });

    it('answers 429 to the fourth verification from the same address', async () => {
      const { user, projectId } = await userWithProject(guarded.app);
      const key = await createKey(guarded.app, user.accessToken, projectId);
      const address = randomAddress();
      for (let i = 0; i < 3; i++) expect((await verifyFrom(guarded.app, key.key, address)).statusCode).toBe(200);
      expectRateLimited(await verifyFrom(guarded.app, key.key, address));
    });

    it('counts failed attempts too, so guessing keys is throttled', async () => {
      const { user, projectId } = await userWithProject(guarded.app);
      const key = await createKey(guarded.app, user.accessToken, projectId);
      const address = randomAddress();
      for (let i = 0; i < 3; i++) expect((await verifyFrom(guarded.app, generateCredential('sk').token, address)).statusCode).toBe(401);
      expectRateLimited(await verifyFrom(guarded.app, key.key, address));
    });

    it('does not hold one address back for another', async () => {
      const { user, projectId } = await userWithProject(guarded.app);
      const key = await createKey(guarded.app, user.accessToken, projectId);
      const busy = randomAddress();
      for (let i = 0; i < 3; i++) await verifyFrom(guarded.app, key.key, busy);
      expect((await verifyFrom(guarded.app, key.key, busy)).statusCode).toBe(429);
      const other = await verifyFrom(guarded.app, key.key, `192.168.${randomInt(256)}.${randomInt(1, 255)}`);
      expect(other.statusCode).toBe(200);
      expect(other.json()).toMatchObject({ valid: true, projectId });
    });
  });
});
