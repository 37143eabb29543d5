import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, bearer, createKey, registerUser, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';

type Body = Record<string, unknown>;

const HOUR = 3_600_000;
const inAnHour = (): string => new Date(Date.now() + HOUR).toISOString();
const anHourAgo = (): string => new Date(Date.now() - HOUR).toISOString();

function patchKey(app: App, token: string, projectId: string, keyId: string, payload: Body): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/keys/${keyId}`, headers: bearer(token), payload });
}

function getKey(app: App, token: string, projectId: string, keyId: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${keyId}`, headers: bearer(token) });
}

function createKeyRequest(app: App, token: string, projectId: string, payload: Body): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: `/v1/projects/${projectId}/keys`, headers: bearer(token), payload });
}

function listKeys(app: App, token: string, projectId: string, query = ''): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys${query}`, headers: bearer(token) });
}

function idsOf(response: LightMyRequestResponse): string[] {
  return response.json<Array<{ id: string }>>().map((k) => k.id);
}

/** The address of the next page, from `Link: <…>; rel="next"`, or null on the last page. */
function nextLink(response: LightMyRequestResponse): string | null {
  const link = response.headers.link;
  if (typeof link !== 'string') return null;
  const match = /<([^>]+)>;\s*rel="next"/.exec(link);
  return match?.[1] ?? null;
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

/** Windows are aligned to the clock; a burst that must fall in one window starts well inside it. */
async function awayFromWindowEdge(windowMs: number): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - 5_000) await new Promise((resolve) => setTimeout(resolve, windowMs - into + 250));
}

/** Seconds from now to the next midnight UTC. */
function secondsToNextUtcMidnight(): number {
  const now = new Date();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

describe(`policy on API keys (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('a successful verification', () => {
    it('tells the protected API the key id, scopes, metadata, owner, environment and expiry', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const expiresAt = inAnHour();
      const key = await createKey(t.app, user.accessToken, projectId, {
        scopes: ['read:invoices'],
        metadata: { plan: 'pro', seats: 3 },
        ownerId: 'customer-42',
        expiresAt,
      });
      const response = await verifyKey(t.app, key.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        valid: true,
        projectId,
        rateLimitRemaining: 99,
        keyId: key.id,
        scopes: ['read:invoices'],
        metadata: { plan: 'pro', seats: 3 },
        ownerId: 'customer-42',
        environment: 'live',
        expiresAt,
      });
    });

    it('shows null owner, metadata and expiry for a key without them, and no quota or credits fields', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const body = (await verifyKey(t.app, key.key)).json<Body>();
      expect(body).toMatchObject({ valid: true, keyId: key.id, scopes: [], metadata: null, ownerId: null, expiresAt: null, environment: 'live' });
      expect(body).not.toHaveProperty('quotaRemaining');
      expect(body).not.toHaveProperty('creditsRemaining');
    });
  });

  describe('scopes', () => {
    it('grants a request whose scopes are all granted and names the missing ones otherwise', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:invoices', 'write:submissions'] });
      const granted = await verifyKey(t.app, key.key, { scopes: ['read:invoices', 'write:submissions'] });
      expect(granted.statusCode).toBe(200);
      expect(granted.json()).toMatchObject({ valid: true, scopes: ['read:invoices', 'write:submissions'] });

      const refused = await verifyKey(t.app, key.key, { scopes: ['read:invoices', 'delete:invoices', 'write:invoices'] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['delete:invoices', 'write:invoices'] });
    });

    it('lets a key without scopes through when none are requested, and refuses any requested scope', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      const refused = await verifyKey(t.app, key.key, { scopes: ['read:invoices'] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['read:invoices'] });
    });

    it('treats * as every scope', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['*'] });
      const response = await verifyKey(t.app, key.key, { scopes: ['read:invoices', 'admin:users', 'delete:everything'] });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, scopes: ['*'] });
    });

    it('treats admin:* as every admin scope and nothing else', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['admin:*'] });
      expect((await verifyKey(t.app, key.key, { scopes: ['admin:users', 'admin:billing'] })).statusCode).toBe(200);
      const refused = await verifyKey(t.app, key.key, { scopes: ['admin:users', 'read:invoices'] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['read:invoices'] });
    });

    it('grants resource scopes on their resource only', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { resources: { 'project:123': ['read', 'write'] } });

      const onIt = await verifyKey(t.app, key.key, { scopes: ['read', 'write'], resource: 'project:123' });
      expect(onIt.statusCode).toBe(200);

      const elsewhere = await verifyKey(t.app, key.key, { scopes: ['read'], resource: 'project:456' });
      expect(elsewhere.statusCode).toBe(403);
      expect(elsewhere.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['read'] });

      const noResource = await verifyKey(t.app, key.key, { scopes: ['read'] });
      expect(noResource.statusCode).toBe(403);
      expect(noResource.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['read'] });

      const notGranted = await verifyKey(t.app, key.key, { scopes: ['read', 'delete'], resource: 'project:123' });
      expect(notGranted.statusCode).toBe(403);
      expect(notGranted.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['delete'] });
    });

    it('combines global scopes with the scopes of the requested resource', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:invoices'], resources: { 'project:123': ['write'] } });
      expect((await verifyKey(t.app, key.key, { scopes: ['read:invoices', 'write'], resource: 'project:123' })).statusCode).toBe(200);
      const refused = await verifyKey(t.app, key.key, { scopes: ['read:invoices', 'write'], resource: 'project:999' });
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['write'] });
    });
  });

  describe('resource names', () => {
    it.each([
      ['an empty name', ''],
      ['a name of 129 characters', 'r'.repeat(129)],
      ['a name of 5,000 characters', 'r'.repeat(5_000)],
    ])('refuses %s on create and on PATCH (400), and stores nothing', async (_case, name) => {
      const { user, projectId } = await userWithProject(t.app);
      const created = await createKeyRequest(t.app, user.accessToken, projectId, { resources: { [name]: ['read'] } });
      expect(created.statusCode, created.body).toBe(400);
      expect(created.json()).toMatchObject({ error: 'validation_error' });
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId))).toEqual([]);
      const key = await createKey(t.app, user.accessToken, projectId, { resources: { 'project:1': ['read'] } });
      const patched = await patchKey(t.app, user.accessToken, projectId, key.id, { resources: { 'project:2': ['read'], [name]: ['read'] } });
      expect(patched.statusCode, patched.body).toBe(400);
      expect(patched.json()).toMatchObject({ error: 'validation_error' });
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ resources: { 'project:1': ['read'] } });
    });

    it('keeps names of 1 and of 128 characters (counted as characters, not UTF-16 units)', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const resources = { r: ['read'], ['x'.repeat(128)]: ['read'], ['é'.repeat(128)]: ['write'], ['😀'.repeat(128)]: ['read'] };
      const created = await createKeyRequest(t.app, user.accessToken, projectId, { resources });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ resources });
      const key = created.json<{ key: string }>();
      expect((await verifyKey(t.app, key.key, { scopes: ['read'], resource: '😀'.repeat(128) })).statusCode).toBe(200);
    });

    it('refuses an invalid scope inside a resource (400)', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (const scope of ['', 's'.repeat(129), 'has space']) {
        const response = await createKeyRequest(t.app, user.accessToken, projectId, { resources: { 'project:1': [scope] } });
        expect(response.statusCode, JSON.stringify(scope)).toBe(400);
      }
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId))).toEqual([]);
    });
  });

  describe('expiry', () => {
    it('answers 403 key_expired once expiresAt has passed', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { expiresAt: anHourAgo() });
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_expired');
    });

    it('works again when the expiry is moved into the future or removed', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { expiresAt: anHourAgo() });
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_expired');
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { expiresAt: inAnHour() })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { expiresAt: anHourAgo() })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_expired');
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { expiresAt: null })).statusCode).toBe(200);
      const again = await verifyKey(t.app, key.key);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ expiresAt: null });
    });

    it('reports key_revoked for a key that has also expired', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { expiresAt: anHourAgo() });
      const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) });
      expect(revoke.statusCode).toBe(204);
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_revoked');
    });

    it('refuses an expiresAt that is not a date-time', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await createKeyRequest(t.app, user.accessToken, projectId, { expiresAt: 'next tuesday' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
    });
  });

  describe('enabled', () => {
    it('answers 403 key_disabled for a key created disabled, and 200 once enabled', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { enabled: false });
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_disabled');
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { enabled: true })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    });

    it('keeps a revoked key revoked when it is also disabled', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { enabled: false });
      const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) });
      expect(revoke.statusCode).toBe(204);
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_revoked');
    });
  });

  describe('IP rules', () => {
    it('allows addresses inside the allow list and refuses the rest with ip_not_allowed', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { ipAllowlist: ['203.0.113.0/24', '198.51.100.7'] });
      for (const ip of ['203.0.113.7', '203.0.113.255', '198.51.100.7']) {
        expect((await verifyKey(t.app, key.key, { ip })).statusCode, ip).toBe(200);
      }
      for (const ip of ['203.0.114.1', '198.51.100.8', '10.0.0.1']) {
        expectFailure(await verifyKey(t.app, key.key, { ip }), 403, 'ip_not_allowed');
      }
    });

    it('lets the deny list win inside an allowed range', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, {
        ipAllowlist: ['10.0.0.0/8'],
        ipDenylist: ['10.1.0.0/16', '10.2.3.4'],
      });
      expect((await verifyKey(t.app, key.key, { ip: '10.3.0.1' })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key, { ip: '10.1.200.9' }), 403, 'ip_not_allowed');
      expectFailure(await verifyKey(t.app, key.key, { ip: '10.2.3.4' }), 403, 'ip_not_allowed');
      expect((await verifyKey(t.app, key.key, { ip: '10.2.3.5' })).statusCode).toBe(200);
    });

    it('refuses denied addresses when there is only a deny list', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { ipDenylist: ['192.0.2.0/24'] });
      expect((await verifyKey(t.app, key.key, { ip: '198.51.100.1' })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key, { ip: '192.0.2.77' }), 403, 'ip_not_allowed');
    });

    it('understands IPv6 addresses and CIDR ranges', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, {
        ipAllowlist: ['2001:db8::/32'],
        ipDenylist: ['2001:db8:dead::/48', '2001:db8::1'],
      });
      expect((await verifyKey(t.app, key.key, { ip: '2001:db8:abcd::42' })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key, { ip: '2001:db9::42' }), 403, 'ip_not_allowed');
      expectFailure(await verifyKey(t.app, key.key, { ip: '2001:db8:dead:1::1' }), 403, 'ip_not_allowed');
      expectFailure(await verifyKey(t.app, key.key, { ip: '2001:db8::1' }), 403, 'ip_not_allowed');
      expectFailure(await verifyKey(t.app, key.key, { ip: '203.0.113.7' }), 403, 'ip_not_allowed');
    });

    it('refuses a key with IP rules when the caller gives no address, or something that is not one', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const allowOnly = await createKey(t.app, user.accessToken, projectId, { ipAllowlist: ['0.0.0.0/0'] });
      const denyOnly = await createKey(t.app, user.accessToken, projectId, { ipDenylist: ['192.0.2.1'] });
      for (const key of [allowOnly, denyOnly]) {
        expectFailure(await verifyKey(t.app, key.key), 403, 'ip_not_allowed');
        expectFailure(await verifyKey(t.app, key.key, {}), 403, 'ip_not_allowed');
        expectFailure(await verifyKey(t.app, key.key, { ip: 'localhost' }), 403, 'ip_not_allowed');
      }
    });

    it('uses the ip of the verify body, not the address of the calling API', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { ipAllowlist: ['203.0.113.0/24'] });
      const fromAllowedSocket = await t.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...bearer(key.key), 'x-forwarded-for': '203.0.113.9' },
        remoteAddress: '203.0.113.9',
        payload: { ip: '198.51.100.1' },
      });
      expectFailure(fromAllowedSocket, 403, 'ip_not_allowed');
      const fromOtherSocket = await t.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: bearer(key.key),
        remoteAddress: '198.51.100.1',
        payload: { ip: '203.0.113.9' },
      });
      expect(fromOtherSocket.statusCode).toBe(200);
    });

    it('refuses entries that are not addresses or CIDR ranges with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (const entry of ['10.0.0.0/33', '300.1.2.3', '2001:db8::/129', 'not-an-ip', '10.0.0.0/8/1', '10.0.0.0/-1']) {
        for (const field of ['ipAllowlist', 'ipDenylist']) {
          const response = await createKeyRequest(t.app, user.accessToken, projectId, { [field]: [entry] });
          expect(response.statusCode, `${field} ${entry}`).toBe(400);
          expect(response.json()).toMatchObject({ error: 'validation_error' });
        }
      }
      const list = await listKeys(t.app, user.accessToken, projectId);
      expect(list.json()).toEqual([]);
    });
  });

  describe('metadata, tags and owner', () => {
    it('keeps metadata up to 4 KB and refuses more with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const fits = await createKeyRequest(t.app, user.accessToken, projectId, { metadata: { note: 'x'.repeat(3_900) } });
      expect(fits.statusCode).toBe(201);
      const tooBig = await createKeyRequest(t.app, user.accessToken, projectId, { metadata: { note: 'x'.repeat(5_000) } });
      expect(tooBig.statusCode).toBe(400);
      expect(tooBig.json()).toMatchObject({ error: 'validation_error' });
    });

    it('refuses a PATCH with metadata over 4 KB and keeps the old metadata', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { metadata: { plan: 'free' } });
      const response = await patchKey(t.app, user.accessToken, projectId, key.id, { metadata: { note: 'y'.repeat(5_000) } });
      expect(response.statusCode).toBe(400);
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ metadata: { plan: 'free' } });
    });

    /** A raw JSON body: numbers and escapes exactly as written, not as JSON.stringify would write them. */
    const rawJson = (app: App, method: 'POST' | 'PATCH', url: string, token: string, body: string): Promise<LightMyRequestResponse> =>
      app.inject({ method, url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: body });
    const nested = (depth: number, leaf: string): string => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

    it.each([
      ['a NUL 65 levels deep', nested(65, '"x\\u0000y"')],
      ['a NUL 500 levels deep, in an array', `{"a":${'['.repeat(500)}"\\u0000"${']'.repeat(500)}}`],
      ['a lone surrogate 100 levels deep', nested(100, '"\\ud800"')],
      ['a NUL in a key 80 levels deep', nested(80, '{"k\\u0000":1}')],
    ])('refuses metadata with %s (400), on create and on PATCH, and stores nothing', async (_case, metadata) => {
      const { user, projectId } = await userWithProject(t.app);
      const created = await rawJson(t.app, 'POST', `/v1/projects/${projectId}/keys`, user.accessToken, `{"metadata":${metadata}}`);
      expect(created.statusCode, created.body).toBe(400);
      expect(created.json()).toMatchObject({ error: 'validation_error' });
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId))).toEqual([]);
      const key = await createKey(t.app, user.accessToken, projectId, { metadata: { plan: 'free' } });
      const patched = await rawJson(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, `{"metadata":${metadata}}`);
      expect(patched.statusCode, patched.body).toBe(400);
      expect(patched.json()).toMatchObject({ error: 'validation_error' });
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ metadata: { plan: 'free' } });
    });

    it('keeps metadata nested as deep as 4 KB allows, exactly', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const metadata = nested(650, '"deep"');
      const created = await rawJson(t.app, 'POST', `/v1/projects/${projectId}/keys`, user.accessToken, `{"metadata":${metadata}}`);
      expect(created.statusCode, created.body).toBe(201);
      const key = created.json<{ id: string; key: string }>();
      expect(JSON.stringify((await getKey(t.app, user.accessToken, projectId, key.id)).json<{ metadata: unknown }>().metadata)).toBe(metadata);
      expect(JSON.stringify((await verifyKey(t.app, key.key)).json<{ metadata: unknown }>().metadata)).toBe(metadata);
    });

    it.each([
      ['1e309', '1e309'],
      ['-1e309', '-1e309'],
      ['2^53', '9007199254740992'],
      ['-(2^53)', '-9007199254740992'],
      ['a 20-digit integer', '12345678901234567890'],
      ['1e300', '1e300'],
      ['one nested deep', nested(100, '1e309')],
    ])('refuses a number JSON cannot hold in metadata: %s (400), on create and on PATCH', async (_case, number) => {
      const { user, projectId } = await userWithProject(t.app);
      const created = await rawJson(t.app, 'POST', `/v1/projects/${projectId}/keys`, user.accessToken, `{"metadata":{"n":${number}}}`);
      expect(created.statusCode, created.body).toBe(400);
      expect(created.json()).toMatchObject({ error: 'validation_error', message: expect.stringMatching(/number/) });
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId))).toEqual([]);
      const key = await createKey(t.app, user.accessToken, projectId, { metadata: { plan: 'free' } });
      const patched = await rawJson(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, `{"metadata":{"n":${number}}}`);
      expect(patched.statusCode, patched.body).toBe(400);
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ metadata: { plan: 'free' } });
    });

    it('keeps the largest safe integers and fractions in metadata exactly', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const body = '{"metadata":{"max":9007199254740991,"min":-9007199254740991,"pi":3.14159,"tiny":1e-300,"half":-0.5}}';
      const created = await rawJson(t.app, 'POST', `/v1/projects/${projectId}/keys`, user.accessToken, body);
      expect(created.statusCode, created.body).toBe(201);
      const expected = { max: 9007199254740991, min: -9007199254740991, pi: 3.14159, tiny: 1e-300, half: -0.5 };
      expect(created.json()).toMatchObject({ metadata: expected });
      const key = created.json<{ id: string }>();
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ metadata: expected });
    });

    it('refuses an unsafe number in any body, not only in metadata (400)', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const rotated = await rawJson(t.app, 'POST', `/v1/projects/${projectId}/keys/${key.id}/rotate`, user.accessToken, '{"gracePeriodSeconds":1e309}');
      expect(rotated.statusCode, rotated.body).toBe(400);
      expect(rotated.json()).toMatchObject({ error: 'validation_error' });
      const verified = await t.app.inject({ method: 'POST', url: '/v1/verify', headers: { ...bearer(key.key), 'content-type': 'application/json' }, payload: '{"cost":1e309}' });
      expect(verified.statusCode, verified.body).toBe(400);
      // The key was neither rotated nor spent.
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    });

    it('refuses metadata that is not an object', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (const metadata of ['text', 42, ['a']]) {
        const response = await createKeyRequest(t.app, user.accessToken, projectId, { metadata });
        expect(response.statusCode, JSON.stringify(metadata)).toBe(400);
      }
    });

    it('shows tags, owner and metadata on the key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { tags: ['free', 'eu'], ownerId: 'acme', metadata: { region: 'eu-west' } });
      expect(key).toMatchObject({ tags: ['free', 'eu'], ownerId: 'acme', metadata: { region: 'eu-west' } });
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({
        tags: ['free', 'eu'],
        ownerId: 'acme',
        metadata: { region: 'eu-west' },
      });
    });
  });

  describe('test environment', () => {
    it('issues sk_test_ keys that verify with environment test', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { environment: 'test' });
      expect(key.key.startsWith('sk_test_')).toBe(true);
      expect(key).toMatchObject({ environment: 'test' });
      expect(String(key.prefix).startsWith('sk_test_')).toBe(true);
      const response = await verifyKey(t.app, key.key);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ valid: true, keyId: key.id, environment: 'test' });
    });

    it('issues sk_live_ keys by default and for environment live', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const byDefault = await createKey(t.app, user.accessToken, projectId);
      const live = await createKey(t.app, user.accessToken, projectId, { environment: 'live' });
      for (const key of [byDefault, live]) {
        expect(key.key.startsWith('sk_live_')).toBe(true);
        expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ environment: 'live' });
      }
    });

    it('refuses another environment name', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await createKeyRequest(t.app, user.accessToken, projectId, { environment: 'staging' });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('PATCH', () => {
    it('refuses an unknown field with 400 and changes nothing', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'old', scopes: ['read:a'] });
      const response = await patchKey(t.app, user.accessToken, projectId, key.id, { label: 'new', scopes: ['read:b'], colour: 'blue' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
      const after = await getKey(t.app, user.accessToken, projectId, key.id);
      expect(after.json()).toMatchObject({ label: 'old', scopes: ['read:a'] });
      expect((await verifyKey(t.app, key.key, { scopes: ['read:a'] })).statusCode).toBe(200);
    });

    it('refuses to change the environment', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const response = await patchKey(t.app, user.accessToken, projectId, key.id, { environment: 'test' });
      expect(response.statusCode).toBe(400);
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ environment: 'live' });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ environment: 'live' });
    });

    it('returns the changed key and leaves the fields not sent alone', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'billing', scopes: ['read:a'], tags: ['t1'], ownerId: 'o1' });
      const response = await patchKey(t.app, user.accessToken, projectId, key.id, { label: 'billing v2' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: key.id, label: 'billing v2', scopes: ['read:a'], tags: ['t1'], ownerId: 'o1' });
      expect(response.json()).not.toHaveProperty('key');
    });

    it('disables and enables a key that is already cached, effective on the next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { enabled: false })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_disabled');
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { enabled: true })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    });

    it('changes scopes of a cached key for the next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:a'] });
      expect((await verifyKey(t.app, key.key, { scopes: ['read:a'] })).statusCode).toBe(200);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { scopes: ['read:b'] })).statusCode).toBe(200);
      const refused = await verifyKey(t.app, key.key, { scopes: ['read:a'] });
      expect(refused.json()).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['read:a'] });
      const granted = await verifyKey(t.app, key.key, { scopes: ['read:b'] });
      expect(granted.statusCode).toBe(200);
      expect(granted.json()).toMatchObject({ scopes: ['read:b'] });
    });

    it('adds IP rules to a cached key for the next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { ipAllowlist: ['203.0.113.0/24'] })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key), 403, 'ip_not_allowed');
      expectFailure(await verifyKey(t.app, key.key, { ip: '198.51.100.1' }), 403, 'ip_not_allowed');
      expect((await verifyKey(t.app, key.key, { ip: '203.0.113.1' })).statusCode).toBe(200);
    });

    it('changes the rate limit of a cached key for the next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ rateLimitRemaining: 99 });
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { rateLimit: { limit: 1000, windowSeconds: 60 } })).statusCode).toBe(200);
      const response = await verifyKey(t.app, key.key);
      expect(response.headers['ratelimit-policy']).toMatch(/q=1000;w=60/);
    });

    it('refuses an invalid IP entry with 400 and keeps the old rules', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { ipAllowlist: ['203.0.113.0/24'] });
      const response = await patchKey(t.app, user.accessToken, projectId, key.id, { ipAllowlist: ['203.0.113.0/40'] });
      expect(response.statusCode).toBe(400);
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ ipAllowlist: ['203.0.113.0/24'] });
    });

    it("answers 404 for another user's key", async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const other = await registerUser(t.app);
      const response = await patchKey(t.app, other.accessToken, projectId, key.id, { enabled: false });
      expect(response.statusCode).toBe(404);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    });
  });

  describe('rate limit per key', () => {
    it('applies its own sliding-window limit and answers rate_limit_exceeded past it, with headers', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { rateLimit: { limit: 3, windowSeconds: 60 } });
      const remaining: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await verifyKey(t.app, key.key);
        expect(response.statusCode).toBe(200);
        expect(response.headers['ratelimit-policy']).toMatch(/^"[^"]+";q=3;w=60$/);
        expect(response.headers.ratelimit).toMatch(new RegExp(`^"[^"]+";r=${2 - i};t=\\d+$`));
        remaining.push(response.json<Body>().rateLimitRemaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const refused = await verifyKey(t.app, key.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });
      const { retryAfter } = refused.json<{ retryAfter: number }>();
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(120);
      expect(refused.headers['retry-after']).toBe(String(retryAfter));
      expect(refused.headers.ratelimit).toMatch(/^"[^"]+";r=0;t=\d+$/);
    });

    it('serves a large enterprise limit', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { rateLimit: { limit: 10_000, windowSeconds: 60 } });
      const response = await verifyKey(t.app, key.key);
      expect(response.json()).toMatchObject({ valid: true, rateLimitRemaining: 9_999 });
      expect(response.headers['ratelimit-policy']).toMatch(/q=10000;w=60/);
    });

    it('lets a token bucket spend its burst at once, then refuses', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, {
        rateLimit: { algorithm: 'token_bucket', limit: 1, windowSeconds: 3_600, burst: 5 },
      });
      expect(key).toMatchObject({ rateLimit: { algorithm: 'token_bucket', limit: 1, windowSeconds: 3_600, burst: 5 } });
      const remaining: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await verifyKey(t.app, key.key);
        expect(response.statusCode).toBe(200);
        remaining.push(response.json<Body>().rateLimitRemaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const refused = await verifyKey(t.app, key.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ valid: false, error: 'rate_limit_exceeded' });
      const { retryAfter } = refused.json<{ retryAfter: number }>();
      // One token per hour: the next one is most of an hour away.
      expect(retryAfter).toBeGreaterThan(3_000);
      expect(retryAfter).toBeLessThanOrEqual(3_600);
      expect(refused.headers['retry-after']).toBe(String(retryAfter));
    });

    it('never limits a key with algorithm none, even past the server default', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { rateLimit: { algorithm: 'none' } });
      const responses: LightMyRequestResponse[] = [];
      for (let i = 0; i < 150; i++) responses.push(await verifyKey(t.app, key.key));
      expect(statusCounts(responses)).toEqual({ valid: 150 });
    });

    it('goes back to the server default when rateLimit is set to null', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { rateLimit: { limit: 5, windowSeconds: 10 } });
      expect((await verifyKey(t.app, key.key)).headers['ratelimit-policy']).toMatch(/q=5;w=10/);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { rateLimit: null })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).headers['ratelimit-policy']).toMatch(/q=100;w=60/);
    });

    it('refuses a rate limit without limit or window, and burst outside a token bucket', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (const rateLimit of [{ limit: 10 }, { windowSeconds: 60 }, { limit: 0, windowSeconds: 60 }, { limit: 10, windowSeconds: 60, burst: 20 }, { algorithm: 'leaky' }]) {
        const response = await createKeyRequest(t.app, user.accessToken, projectId, { rateLimit });
        expect(response.statusCode, JSON.stringify(rateLimit)).toBe(400);
      }
    });

    it('carries the rate-limit headers on a refused verification of a known key too', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:a'], rateLimit: { limit: 5, windowSeconds: 60 } });
      const refused = await verifyKey(t.app, key.key, { scopes: ['write:a'] });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['ratelimit-policy']).toMatch(/^"[^"]+";q=5;w=60$/);
      expect(refused.headers.ratelimit).toMatch(/^"[^"]+";r=\d+;t=\d+$/);
    });

    it('reports key_disabled, not rate_limit_exceeded, for a disabled key over its limit', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { rateLimit: { limit: 1, windowSeconds: 3_600 } });
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(429);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { enabled: false })).statusCode).toBe(200);
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_disabled');
    });

    it('admits exactly 100 of 500 simultaneous verifications at a limit of 100 per minute', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { rateLimit: { limit: 100, windowSeconds: 60 } });
      await awayFromWindowEdge(60_000);
      const responses = await Promise.all(Array.from({ length: 500 }, () => verifyKey(t.app, key.key)));
      expect(statusCounts(responses)).toEqual({ valid: 100, rate_limit_exceeded: 400 });
    });
  });

  describe('quota', () => {
    it('counts a daily quota down and answers quota_exceeded with retryAfter until midnight UTC', async () => {
      await awayFromWindowEdge(86_400_000);
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { quota: { limit: 3, period: 'day' } });
      expect(key).toMatchObject({ quota: { limit: 3, period: 'day' } });
      const left: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await verifyKey(t.app, key.key);
        expect(response.statusCode).toBe(200);
        left.push(response.json<Body>().quotaRemaining);
      }
      expect(left).toEqual([2, 1, 0]);
      const expected = secondsToNextUtcMidnight();
      const refused = await verifyKey(t.app, key.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toEqual({ valid: false, error: 'quota_exceeded', retryAfter: expect.any(Number) });
      const { retryAfter } = refused.json<{ retryAfter: number }>();
      expect(Math.abs(retryAfter - expected)).toBeLessThanOrEqual(5);
      expect(refused.headers['retry-after']).toBe(String(retryAfter));
    });

    it('answers retryAfter until the first of next month for a monthly quota', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { quota: { limit: 1, period: 'month' } });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, quotaRemaining: 0 });
      const now = new Date();
      const expected = Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 1000);
      const refused = await verifyKey(t.app, key.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
      expect(Math.abs(refused.json<{ retryAfter: number }>().retryAfter - expected)).toBeLessThanOrEqual(5);
    });

    it('admits exactly 50 of 200 simultaneous verifications with a daily quota of 50', async () => {
      await awayFromWindowEdge(86_400_000);
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { quota: { limit: 50, period: 'day' }, rateLimit: { algorithm: 'none' } });
      const responses = await Promise.all(Array.from({ length: 200 }, () => verifyKey(t.app, key.key)));
      expect(statusCounts(responses)).toEqual({ valid: 50, quota_exceeded: 150 });
      const left = responses.filter((r) => r.statusCode === 200).map((r) => r.json<{ quotaRemaining: number }>().quotaRemaining);
      expect(new Set(left).size).toBe(50);
      expect(Math.min(...left)).toBe(0);
    });

    it('does not spend the quota on a verification that fails the policy', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { quota: { limit: 2, period: 'day' }, scopes: ['read:a'] });
      for (let i = 0; i < 3; i++) expect((await verifyKey(t.app, key.key, { scopes: ['write:a'] })).statusCode).toBe(403);
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, quotaRemaining: 1 });
    });
  });

  describe('credits', () => {
    it('spends the cost of each verification and refuses once the balance is short', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 10 } });
      const left: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await verifyKey(t.app, key.key, { cost: 3 });
        expect(response.statusCode).toBe(200);
        left.push(response.json<Body>().creditsRemaining);
      }
      expect(left).toEqual([7, 4, 1]);
      const refused = await verifyKey(t.app, key.key, { cost: 3 });
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
      const last = await verifyKey(t.app, key.key);
      expect(last.json()).toMatchObject({ valid: true, creditsRemaining: 0 });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
    });

    it('refuses a cost above the balance without spending any of it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 2 } });
      const refused = await verifyKey(t.app, key.key, { cost: 5 });
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ valid: false, error: 'quota_exceeded' });
      const spent = await verifyKey(t.app, key.key, { cost: 2 });
      expect(spent.statusCode).toBe(200);
      expect(spent.json()).toMatchObject({ valid: true, creditsRemaining: 0 });
    });

    it('spends one credit when no cost is given', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 5, refill: { amount: 5, interval: 'day' } } });
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, creditsRemaining: 4 });
      expect((await verifyKey(t.app, key.key, {})).json()).toMatchObject({ valid: true, creditsRemaining: 3 });
    });

    it('answers retryAfter until the refill when the balance refills', async () => {
      await awayFromWindowEdge(86_400_000);
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 1, refill: { amount: 10, interval: 'day' } } });
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      const expected = secondsToNextUtcMidnight();
      const refused = await verifyKey(t.app, key.key);
      expect(refused.json()).toEqual({ valid: false, error: 'quota_exceeded', retryAfter: expect.any(Number) });
      expect(Math.abs(refused.json<{ retryAfter: number }>().retryAfter - expected)).toBeLessThanOrEqual(5);
    });

    it('shows the balance left on the key after verifications have spent it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 10 } });
      expect((await verifyKey(t.app, key.key, { cost: 3 })).json()).toMatchObject({ creditsRemaining: 7 });
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({ credits: { remaining: 7 } });
    });

    it('starts a fresh balance when the credits are set again', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { credits: { remaining: 1 } });
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(429);
      expect((await patchKey(t.app, user.accessToken, projectId, key.id, { credits: { remaining: 3 } })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ valid: true, creditsRemaining: 2 });
    });
  });

  describe('revocation reason', () => {
    it('keeps the reason given on DELETE with the record', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/v1/projects/${projectId}/keys/${key.id}`,
        headers: bearer(user.accessToken),
        payload: { reason: 'leaked in a public repository' },
      });
      expect(revoke.statusCode).toBe(204);
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({
        revoked: true,
        status: 'revoked',
        revokeReason: 'leaked in a public repository',
      });
      expectFailure(await verifyKey(t.app, key.key), 403, 'key_revoked');
    });
  });

  describe('one key with its usage', () => {
    it('returns the key with its policy, total, last-24-hours verifications and error rate', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'billing', scopes: ['read:a'] });
      for (let i = 0; i < 3; i++) expect((await verifyKey(t.app, key.key, { scopes: ['read:a'] })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key, { scopes: ['write:a'] })).statusCode).toBe(403);
      const response = await getKey(t.app, user.accessToken, projectId, key.id);
      expect(response.statusCode).toBe(200);
      const body = response.json<Body>();
      expect(body).toMatchObject({
        id: key.id,
        label: 'billing',
        scopes: ['read:a'],
        status: 'active',
        usage: { totalVerifications: 4, last24h: 4, errorRate: 0.25 },
      });
      expect(body).not.toHaveProperty('key');
      expect(JSON.stringify(body)).not.toContain(key.key.split('.')[1] ?? key.key);
    });

    it('shows when the key was last used, right after a verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const before = Date.now();
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
      const body = (await getKey(t.app, user.accessToken, projectId, key.id)).json<{ lastUsedAt: string | null }>();
      expect(body.lastUsedAt).toEqual(expect.any(String));
      expect(Date.parse(body.lastUsedAt ?? '')).toBeGreaterThanOrEqual(before - 1_000);
    });

    it('shows zero usage and an error rate of 0 for an unused key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await getKey(t.app, user.accessToken, projectId, key.id)).json()).toMatchObject({
        lastUsedAt: null,
        usage: { totalVerifications: 0, last24h: 0, errorRate: 0 },
      });
    });

    it('gives the per-day series with a row for today', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:a'] });
      for (let i = 0; i < 2; i++) await verifyKey(t.app, key.key, { scopes: ['read:a'] });
      await verifyKey(t.app, key.key, { scopes: ['admin:a'] });
      const today = new Date().toISOString().slice(0, 10);
      const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}/usage?range=7d`, headers: bearer(user.accessToken) });
      expect(response.statusCode).toBe(200);
      const body = response.json<{ id: string; range: string; days: Array<{ date: string; count: number; errors: number }> }>();
      expect(body).toMatchObject({ id: key.id, range: '7d' });
      expect(body.days.find((d) => d.date === today)).toEqual({ date: today, count: 3, errors: 1 });
    });

    it("answers 404 for another user's key and for an unknown one", async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const other = await registerUser(t.app);
      expect((await getKey(t.app, other.accessToken, projectId, key.id)).statusCode).toBe(404);
      const usage = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}/usage`, headers: bearer(other.accessToken) });
      expect(usage.statusCode).toBe(404);
      expect((await getKey(t.app, user.accessToken, projectId, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
      expect((await getKey(t.app, user.accessToken, projectId, 'not-a-uuid')).statusCode).toBe(404);
    });
  });

  describe('finding keys', () => {
    it('filters by tag and by owner', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const free = await createKey(t.app, user.accessToken, projectId, { tags: ['free', 'eu'], ownerId: 'acme' });
      const pro = await createKey(t.app, user.accessToken, projectId, { tags: ['pro', 'eu'], ownerId: 'globex' });
      await createKey(t.app, user.accessToken, projectId);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?tag=free'))).toEqual([free.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?tag=eu'))).toEqual([pro.id, free.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?ownerId=globex'))).toEqual([pro.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?tag=eu&ownerId=acme'))).toEqual([free.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?tag=none'))).toEqual([]);
    });

    it('filters by environment', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const test = await createKey(t.app, user.accessToken, projectId, { environment: 'test' });
      const live = await createKey(t.app, user.accessToken, projectId);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?environment=test'))).toEqual([test.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?environment=live'))).toEqual([live.id]);
    });

    it('filters by status: active, disabled, expired, revoked', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const active = await createKey(t.app, user.accessToken, projectId, { expiresAt: inAnHour() });
      const disabled = await createKey(t.app, user.accessToken, projectId, { enabled: false });
      const expired = await createKey(t.app, user.accessToken, projectId, { expiresAt: anHourAgo() });
      const revoked = await createKey(t.app, user.accessToken, projectId);
      const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${revoked.id}`, headers: bearer(user.accessToken) });
      expect(revoke.statusCode).toBe(204);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?status=active'))).toEqual([active.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?status=disabled'))).toEqual([disabled.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?status=expired'))).toEqual([expired.id]);
      expect(idsOf(await listKeys(t.app, user.accessToken, projectId, '?status=revoked'))).toEqual([revoked.id]);
      const all = (await listKeys(t.app, user.accessToken, projectId)).json<Array<{ id: string; status: string }>>();
      expect(Object.fromEntries(all.map((k) => [k.id, k.status]))).toEqual({
        [active.id]: 'active',
        [disabled.id]: 'disabled',
        [expired.id]: 'expired',
        [revoked.id]: 'revoked',
      });
    });

    it('refuses an unknown status or environment with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      expect((await listKeys(t.app, user.accessToken, projectId, '?status=sleeping')).statusCode).toBe(400);
      expect((await listKeys(t.app, user.accessToken, projectId, '?environment=staging')).statusCode).toBe(400);
      expect((await listKeys(t.app, user.accessToken, projectId, '?limit=101')).statusCode).toBe(400);
    });

    it('pages with limit=1 through the Link header, newest first, without duplicates', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const created: string[] = [];
      for (let i = 0; i < 3; i++) created.push((await createKey(t.app, user.accessToken, projectId, { label: `k${i}` })).id);
      const seen: string[] = [];
      let url: string | null = `/v1/projects/${projectId}/keys?limit=1`;
      let pages = 0;
      while (url !== null && pages < 10) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer(user.accessToken) });
        expect(response.statusCode).toBe(200);
        const page = idsOf(response);
        expect(page.length).toBeLessThanOrEqual(1);
        seen.push(...page);
        url = nextLink(response);
        pages++;
      }
      expect(seen).toEqual([...created].reverse());
    });

    it('keeps the filter on the next page', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const tagged: string[] = [];
      for (let i = 0; i < 3; i++) {
        tagged.push((await createKey(t.app, user.accessToken, projectId, { tags: ['paged'] })).id);
        await createKey(t.app, user.accessToken, projectId, { tags: ['other'] });
      }
      const seen: string[] = [];
      let url: string | null = `/v1/projects/${projectId}/keys?tag=paged&limit=1`;
      for (let pages = 0; url !== null && pages < 10; pages++) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer(user.accessToken) });
        seen.push(...idsOf(response));
        url = nextLink(response);
      }
      expect(seen).toEqual([...tagged].reverse());
    });

    it('sends no Link header on the last page', async () => {
      const { user, projectId } = await userWithProject(t.app);
      await createKey(t.app, user.accessToken, projectId);
      const response = await listKeys(t.app, user.accessToken, projectId, '?limit=5');
      expect(response.headers.link).toBeUndefined();
      expect(idsOf(response)).toHaveLength(1);
    });
  });
});
