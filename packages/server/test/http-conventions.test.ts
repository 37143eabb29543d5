import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, registerUser, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BODY_LIMIT = 16 * 1024;

interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
}

/** The error envelope every non-verify error uses, with its requestId tied to the response header. */
function expectErrorEnvelope(response: LightMyRequestResponse, status: number, code?: string): ErrorBody {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json<ErrorBody>();
  expect(body).toMatchObject({ error: code ?? expect.stringMatching(/^[a-z][a-z_]*$/), message: expect.any(String), requestId: expect.any(String) });
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.requestId).toBe(response.headers['x-request-id']);
  return body;
}

/** A JSON body of exactly `bytes` bytes for /v1/auth/register. */
function registerBodyOfSize(bytes: number): string {
  const prefix = '{"email":"size@example.com","password":"';
  const suffix = '"}';
  return `${prefix}${'x'.repeat(bytes - prefix.length - suffix.length)}${suffix}`;
}

describe(`http conventions (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const inject = (options: InjectOptions): Promise<LightMyRequestResponse> => t.app.inject(options);

  describe('X-Request-Id', () => {
    const requests: Array<[string, InjectOptions]> = [
      ['a health check', { method: 'GET', url: '/v1/health' }],
      ['an unknown route', { method: 'GET', url: '/v1/no-such-route' }],
      ['an unauthenticated call', { method: 'GET', url: '/v1/auth/me' }],
      ['an invalid body', { method: 'POST', url: '/v1/auth/register', payload: { email: 'nope' } }],
      ['a verification', { method: 'POST', url: '/v1/verify', headers: bearer('sk_live_nope.nope') }],
      ['the OpenAPI document', { method: 'GET', url: '/openapi.json' }],
    ];

    it.each(requests)('is generated as a UUID on %s when the caller sends none', async (_case, options) => {
      const response = await inject(options);
      expect(response.headers['x-request-id']).toMatch(UUID);
    });

    it('is different for every request', async () => {
      const [a, b] = await Promise.all([inject({ method: 'GET', url: '/v1/health' }), inject({ method: 'GET', url: '/v1/health' })]);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });

    it.each(requests)('propagates a sane id the caller sends, on %s', async (_case, options) => {
      const response = await inject({ ...options, headers: { ...(options.headers ?? {}), 'x-request-id': 'abc-123' } });
      expect(response.headers['x-request-id']).toBe('abc-123');
    });

    it('puts the propagated id into error bodies', async () => {
      const response = await inject({ method: 'GET', url: '/v1/no-such-route', headers: { 'x-request-id': 'trace.42:alpha_B' } });
      expect(response.headers['x-request-id']).toBe('trace.42:alpha_B');
      expect(response.json()).toMatchObject({ requestId: 'trace.42:alpha_B' });
    });

    const unsafe: Array<[string, string]> = [
      ['300 characters long', 'a'.repeat(300)],
      ['containing spaces', 'abc 123'],
      ['containing markup', '<script>alert(1)</script>'],
      ['containing quotes and semicolons', 'a";b=c'],
      ['containing a path', '../../etc/passwd'],
      ['containing log-forging braces', '{"level":60}'],
    ];
    it.each(unsafe)('replaces an id %s with a generated one', async (_case, given) => {
      const response = await inject({ method: 'GET', url: '/v1/no-such-route', headers: { 'x-request-id': given } });
      const id = response.headers['x-request-id'];
      expect(id).toMatch(UUID);
      expect(id).not.toBe(given);
      expect(response.json()).toMatchObject({ requestId: id });
      expect(response.body).not.toContain(given);
    });
  });

  describe('request size', () => {
    it('answers a body over 16 KB with 413 payload_too_large in the error envelope', async () => {
      const payload = registerBodyOfSize(BODY_LIMIT + 1);
      expect(Buffer.byteLength(payload)).toBe(BODY_LIMIT + 1);
      const response = await inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload });
      expectErrorEnvelope(response, 413, 'payload_too_large');
    });

    it('answers an authenticated body over 16 KB with 413 too, and creates nothing', async () => {
      const user = await registerUser(t.app);
      const response = await inject({
        method: 'POST',
        url: '/v1/projects',
        headers: bearer(user.accessToken),
        payload: { name: 'big', padding: 'x'.repeat(BODY_LIMIT) },
      });
      expectErrorEnvelope(response, 413, 'payload_too_large');
      const list = await inject({ method: 'GET', url: '/v1/projects', headers: bearer(user.accessToken) });
      expect(list.json()).toEqual([]);
    });

    it('does not refuse a body of exactly 16 KB for its size', async () => {
      const payload = registerBodyOfSize(BODY_LIMIT);
      expect(Buffer.byteLength(payload)).toBe(BODY_LIMIT);
      const response = await inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload });
      // The body reaches validation, which refuses the over-long password.
      expectErrorEnvelope(response, 400, 'validation_error');
    });
  });

  describe('Authorization header cap (200 characters)', () => {
    /** `Bearer <token>` padded with blanks after the scheme to exactly `length` characters. */
    const padded = (token: string, length: number): string => {
      const header = `Bearer ${' '.repeat(length - 'Bearer '.length - token.length)}${token}`;
      expect(header).toHaveLength(length);
      return header;
    };

    it('refuses an over-long header at /v1/verify with invalid_key, even around a valid key, without spending its limit', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      for (const authorization of [padded(key.key, 201), `Bearer sk_live_${'a'.repeat(250)}`]) {
        const response = await inject({ method: 'POST', url: '/v1/verify', headers: { authorization } });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({ valid: false, error: 'invalid_key' });
      }
      // Nothing was counted against the key: its first real verification has the full allowance left.
      const ok = await verifyKey(t.app, key.key);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ valid: true, projectId, rateLimitRemaining: 99 });
    });

    it('accepts a header of exactly 200 characters at /v1/verify', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await inject({ method: 'POST', url: '/v1/verify', headers: { authorization: padded(key.key, 200) } });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, projectId });
    });

    it('refuses an over-long header at /v1/verify/service with invalid_key', async () => {
      const response = await inject({ method: 'POST', url: '/v1/verify/service', headers: { authorization: `Bearer svc_live_${'a'.repeat(250)}` } });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ valid: false, error: 'invalid_key' });
    });

    it('refuses an over-long header at /v1/auth/me with 401 unauthorized, even around a valid access token', async () => {
      const user = await registerUser(t.app);
      for (const authorization of [padded(user.accessToken, 201), `Bearer ${'a'.repeat(250)}`]) {
        expectErrorEnvelope(await inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization } }), 401, 'unauthorized');
      }
      expect((await inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(user.accessToken) })).statusCode).toBe(200);
    });
  });

  describe('request bodies', () => {
    it('answers invalid JSON with 400 validation_error', async () => {
      const response = await inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email": "a@b.co", ' });
      expectErrorEnvelope(response, 400, 'validation_error');
    });

    it('answers invalid JSON on an authenticated route with 400 validation_error', async () => {
      const user = await registerUser(t.app);
      const response = await inject({
        method: 'POST',
        url: '/v1/projects',
        headers: { ...bearer(user.accessToken), 'content-type': 'application/json' },
        payload: '{name: my-api}',
      });
      expectErrorEnvelope(response, 400, 'validation_error');
    });

    it.each([
      ['text/plain', '{"name":"my-api"}'],
      ['application/xml', '<project><name>my-api</name></project>'],
      ['application/x-www-form-urlencoded', 'name=my-api'],
    ])('refuses a %s body on POST /v1/projects with a stable 4xx code and creates nothing', async (contentType, payload) => {
      const user = await registerUser(t.app);
      const response = await inject({ method: 'POST', url: '/v1/projects', headers: { ...bearer(user.accessToken), 'content-type': contentType }, payload });
      expect([400, 415]).toContain(response.statusCode);
      const body = expectErrorEnvelope(response, response.statusCode);
      expect(['validation_error', 'unsupported_media_type']).toContain(body.error);
      const list = await inject({ method: 'GET', url: '/v1/projects', headers: bearer(user.accessToken) });
      expect(list.json()).toEqual([]);
    });

    it('creates a key for POST with Content-Type: application/json and an empty body, as curl sends it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await inject({
        method: 'POST',
        url: `/v1/projects/${projectId}/keys`,
        headers: { ...bearer(user.accessToken), 'content-type': 'application/json' },
        payload: '',
      });
      expect(response.statusCode, response.body).toBe(201);
      const created = response.json<{ key: string }>();
      expect(created).toMatchObject({ id: expect.any(String), key: expect.stringMatching(/^sk_live_/), revoked: false });
      expect((await verifyKey(t.app, created.key)).statusCode).toBe(200);
    });

    it('creates a key for POST with no body and no Content-Type', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await inject({ method: 'POST', url: `/v1/projects/${projectId}/keys`, headers: bearer(user.accessToken) });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ key: expect.stringMatching(/^sk_live_/), revoked: false });
    });

    it('verifies a key sent with Content-Type: application/json and an empty body', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await inject({ method: 'POST', url: '/v1/verify', headers: { ...bearer(key.key), 'content-type': 'application/json' }, payload: '' });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, projectId });
    });
  });

  describe('errors', () => {
    it.each([
      ['GET', '/v1/no-such-route'],
      ['POST', '/v1/projects/some-id/unknown'],
      ['GET', '/no-such-route'],
      ['DELETE', '/v1/health/everything'],
    ] as const)('answers %s %s with 404 not_found in the error envelope', async (method, url) => {
      expectErrorEnvelope(await inject({ method, url }), 404, 'not_found');
    });

    const failing: Array<[string, () => Promise<InjectOptions>]> = [
      ['404 unknown route', async () => ({ method: 'GET', url: '/v1/nothing-here' })],
      ['401 missing token', async () => ({ method: 'GET', url: '/v1/projects' })],
      ['401 bad login', async () => ({ method: 'POST', url: '/v1/auth/login', payload: { email: 'nobody@example.com', password: 'whatever123' } })],
      ['400 invalid body', async () => ({ method: 'POST', url: '/v1/auth/register', payload: { email: 'x', password: 'y' } })],
      ['400 invalid JSON', async () => ({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{' })],
      ['401 refresh without token', async () => ({ method: 'POST', url: '/v1/auth/refresh' })],
      ['413 body too large', async () => ({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: registerBodyOfSize(BODY_LIMIT + 100) })],
      [
        '404 project of nobody',
        async () => ({ method: 'GET', url: '/v1/projects/00000000-0000-4000-8000-000000000000/keys', headers: bearer((await registerUser(t.app)).accessToken) }),
      ],
    ];
    it.each(failing)('%s: the body has error, message and requestId equal to the X-Request-Id header', async (name, options) => {
      const response = await inject(await options());
      expectErrorEnvelope(response, Number(name.slice(0, 3)));

      const traced = await options();
      const withId = await inject({ ...traced, headers: { ...(traced.headers ?? {}), 'x-request-id': 'req-from-caller-1' } });
      expect(withId.headers['x-request-id']).toBe('req-from-caller-1');
      expect(expectErrorEnvelope(withId, Number(name.slice(0, 3))).requestId).toBe('req-from-caller-1');
    });
  });

  describe('documentation', () => {
    it('serves an OpenAPI 3 document listing the API', async () => {
      const response = await inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const doc = response.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
      expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
      for (const path of ['/v1/verify', '/v1/verify/service', '/v1/auth/register', '/v1/auth/login', '/v1/projects', '/v1/projects/{projectId}/keys', '/v1/health']) {
        expect(doc.paths, path).toHaveProperty([path]);
      }
      expect(doc.paths['/v1/verify']).toHaveProperty('post');
      expect(doc.paths['/v1/projects/{projectId}/keys']).toHaveProperty('post');
      expect(doc.paths['/v1/projects/{projectId}/keys']).toHaveProperty('get');
      // Renaming a project: its body is the name alone.
      expect(doc.paths['/v1/projects/{projectId}']).toHaveProperty('patch.requestBody.content.application/json.schema', expect.objectContaining({ required: ['name'], additionalProperties: false }));
    });

    it('serves interactive docs at /docs', async () => {
      let response = await inject({ method: 'GET', url: '/docs' });
      // Follow redirects (at most a few) to wherever the UI lives.
      for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops += 1) {
        const location = String(response.headers.location);
        response = await inject({ method: 'GET', url: new URL(location, 'http://localhost/docs/').pathname });
      }
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toMatch(/<html/i);
    });
  });
});
