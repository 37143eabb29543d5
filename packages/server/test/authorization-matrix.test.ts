import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, createService, createWebhook, registerUser, startApp, verifyKey, verifyService, type TestApp, type TestUser } from './helpers/harness.js';
import { discoverRoutes, fillPath, validValue, type RouteInfo } from './helpers/routes.js';
import { createProjectIn, createRootKey, createWorkspace, invite, join } from './helpers/teams.js';

/**
 * Who may do what, over every management route (read from the app, so a new route is in the
 * matrix without editing this file):
 * - no token, or a forged one (alg none, HS384/HS512, RS256, HS256 keyed with a public key, a
 *   wrong secret, a tampered payload, expired, logged out) → 401 `unauthorized`, and nothing changes;
 * - another user's project, key or service → 404 `not_found`, exactly as for an id that does not
 *   exist, and nothing changes;
 * - fields a client may not set (ids, owner, digests, timestamps, status) → 400 and nothing changes.
 */

const routes: RouteInfo[] = await (async () => {
  const probe = await startApp({ logLevel: 'silent' });
  try {
    return await discoverRoutes(probe.app);
  } finally {
    await probe.close();
  }
})();

/** Everything under /v1 except the routes that are public by design. */
const PUBLIC = [/^\/v1\/auth\/(register|login|refresh)$/, /^\/v1\/health$/, /^\/v1\/verify(\/|$)/];
const management = routes.filter((r) => r.path.startsWith('/v1/') && !PUBLIC.some((p) => p.test(r.path)));
const withIds = management.filter((r) => r.params.length > 0);
const routeName = (route: RouteInfo): string => `${route.method} ${route.path}`;

/** The `sub` claim: the user's UUID as the base64url of its 16 bytes. */
const subjectOf = (userId: string): string => Buffer.from(userId.replaceAll('-', ''), 'hex').toString('base64url');
const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jti = (): string => randomBytes(12).toString('base64url').slice(0, 16);

interface Claims {
  sub?: string;
  jti?: string;
  iat?: number;
  exp?: number;
}

function claimsFor(userId: string, overrides: Claims = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  return { sub: subjectOf(userId), jti: jti(), iat: now, exp: now + 600, ...overrides };
}

async function sign(claims: Claims, key: Uint8Array | CryptoKey, alg: string): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg }).sign(key);
}

interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
}

function errorOf(response: LightMyRequestResponse): ErrorBody | null {
  try {
    const body = response.json<ErrorBody>();
    return typeof body === 'object' && body !== null ? body : null;
  } catch {
    return null;
  }
}

/** `status code` when the response is that error in the envelope, or what it was instead. */
function mismatch(response: LightMyRequestResponse, status: number, code: string): string | null {
  const body = errorOf(response);
  if (response.statusCode === status && body?.error === code && typeof body.message === 'string' && body.requestId === response.headers['x-request-id']) return null;
  return `${response.statusCode} ${response.body.slice(0, 200)}`;
}

describe(`authorization matrix (${backend})`, () => {
  let t: TestApp;
  let secret: Uint8Array;
  let rsa: CryptoKey;
  let publicPem: string;

  beforeAll(async () => {
    t = await startApp({ logLevel: 'silent' });
    secret = new TextEncoder().encode(t.config.jwtSecret ?? '');
    const pair = await generateKeyPair('RS256', { extractable: true });
    rsa = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
  });
  afterAll(async () => {
    await t.close();
  });

  const inject = (options: InjectOptions): Promise<LightMyRequestResponse> => t.app.inject(options);

  /**
   * The user's objects: a team workspace they own, with a member (who has a role in the project),
   * a pending invitation and a root key; a project in it with a key and a service; and an
   * invitation of the user to another workspace, not yet accepted.
   */
  interface Owned {
    user: TestUser;
    workspaceId: string;
    memberId: string;
    invitationId: string;
    rootKeyId: string;
    /** An invitation of `user` to the member's personal workspace. */
    invitationToken: string;
    projectId: string;
    keyId: string;
    key: string;
    serviceId: string;
    service: string;
    webhookId: string;
    deliveryId: string;
  }

  async function owner(): Promise<Owned> {
    const user = await registerUser(t.app);
    const member = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, user.accessToken, 'owned');
    await join(t.app, user, workspace.id, member, 'viewer');
    const project = await createProjectIn(t.app, user.accessToken, workspace.id, 'owned');
    const role = await inject({ method: 'PUT', url: `/v1/projects/${project.id}/members/${member.id}`, headers: bearer(user.accessToken), payload: { role: 'viewer' } });
    expect(role.statusCode, role.body).toBe(200);
    const key = await createKey(t.app, user.accessToken, project.id, { label: 'owned' });
    const service = await createService(t.app, user.accessToken, project.id);
    const pending = await invite(t.app, user.accessToken, workspace.id, `pending-${randomUUID()}@example.com`, 'viewer');
    const rootKey = await createRootKey(t.app, user.accessToken, workspace.id, []);
    const memberWorkspace = (await inject({ method: 'GET', url: '/v1/workspaces', headers: bearer(member.accessToken) })).json<Array<{ id: string; personal: boolean }>>().find((w) => w.personal);
    const invitation = await invite(t.app, member.accessToken, memberWorkspace?.id ?? '', user.email, 'viewer');
    const webhook = await createWebhook(t.app, user.accessToken, project.id);
    return {
      user,
      workspaceId: workspace.id,
      memberId: member.id,
      invitationId: pending.id,
      rootKeyId: rootKey.id,
      invitationToken: invitation.token,
      projectId: project.id,
      keyId: key.id,
      key: key.key,
      serviceId: service.id,
      service: service.key,
      webhookId: webhook.id,
      deliveryId: webhook.deliveryId,
    };
  }

  const idsOf = (o: Pick<Owned, 'projectId' | 'keyId' | 'serviceId' | 'workspaceId' | 'memberId' | 'invitationId' | 'rootKeyId' | 'webhookId' | 'deliveryId'>): Record<string, string> => ({
    id: o.projectId,
    projectId: o.projectId,
    keyId: o.keyId,
    serviceId: o.serviceId,
    workspaceId: o.workspaceId,
    userId: o.memberId,
    invitationId: o.invitationId,
    rootKeyId: o.rootKeyId,
    webhookId: o.webhookId,
    deliveryId: o.deliveryId,
  });

  /** A request of the route that succeeds with the right token: real ids and a valid body (an invitation's real token to accept). */
  function requestFor(route: RouteInfo, ids: Record<string, string>, headers: Record<string, string>, invitationToken?: string): InjectOptions {
    const options: InjectOptions = { method: route.method as InjectOptions['method'], url: fillPath(route, ids), headers };
    if (route.bodySchema !== undefined) options.payload = validValue(route.bodySchema) as Record<string, unknown>;
    if (route.path === '/v1/invitations/accept' && invitationToken !== undefined) options.payload = { token: invitationToken };
    return options;
  }

  /** Everything the owner can read about their objects (reads change nothing). */
  async function snapshot(o: Owned): Promise<unknown> {
    const read = async (url: string): Promise<unknown> => {
      const response = await inject({ method: 'GET', url, headers: bearer(o.user.accessToken) });
      return [response.statusCode, response.json()];
    };
    return {
      projects: await read('/v1/projects'),
      keys: await read(`/v1/projects/${o.projectId}/keys`),
      services: await read(`/v1/projects/${o.projectId}/services`),
      key: await read(`/v1/projects/${o.projectId}/keys/${o.keyId}`),
      service: await read(`/v1/projects/${o.projectId}/services/${o.serviceId}`),
      audit: await read(`/v1/projects/${o.projectId}/audit`),
      webhooks: await read(`/v1/projects/${o.projectId}/webhooks`),
      webhook: await read(`/v1/projects/${o.projectId}/webhooks/${o.webhookId}`),
    };
  }

  it('found the management routes in the app itself', () => {
    const names = management.map(routeName);
    for (const expected of ['GET /v1/auth/me', 'POST /v1/auth/logout', 'GET /v1/projects', 'POST /v1/projects', 'DELETE /v1/projects/:projectId', 'PATCH /v1/projects/:projectId/keys/:keyId', 'POST /v1/projects/:projectId/services/:serviceId/rotate', 'GET /v1/projects/:projectId/stats', 'GET /v1/projects/:projectId/audit', 'GET /v1/projects/:projectId/keys/:keyId/usage']) {
      expect(names).toContain(expected);
    }
    expect(names.some((n) => /register|login|refresh|health|verify|docs|openapi/.test(n))).toBe(false);
  });

  it('documents every management route as needing the bearer access token', () => {
    expect(management.filter((r) => !r.bearer).map(routeName)).toEqual([]);
  });

  it('accepts a token forged exactly as the service signs them (so each refusal below is about its one change)', async () => {
    const user = await registerUser(t.app);
    const token = await sign(claimsFor(user.id), secret, 'HS256');
    const response = await inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
  });

  /** Authorization headers that must all be refused, for the owner `o` (and a second user). */
  async function forgeries(o: Owned): Promise<Array<[string, Record<string, string>]>> {
    const claims = claimsFor(o.user.id);
    const other = await registerUser(t.app);
    const [otherHeader, otherPayload, otherSignature] = other.accessToken.split('.') as [string, string, string];
    const otherClaims = JSON.parse(Buffer.from(otherPayload, 'base64url').toString('utf8')) as Claims;
    // A session of the owner that was logged out.
    const login = await inject({ method: 'POST', url: '/v1/auth/login', payload: { email: o.user.email, password: o.user.password } });
    expect(login.statusCode, login.body).toBe(200);
    const loggedOut = login.json<{ accessToken: string }>().accessToken;
    const logout = await inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(loggedOut) });
    expect(logout.statusCode, logout.body).toBe(204);
    const now = Math.floor(Date.now() / 1000);
    const [realHeader, realPayload] = o.user.accessToken.split('.') as [string, string, string];
    return [
      ['no Authorization header', {}],
      ['an empty bearer token', { authorization: 'Bearer ' }],
      ['the token without the Bearer scheme', { authorization: o.user.accessToken }],
      ['the token under the Basic scheme', { authorization: `Basic ${o.user.accessToken}` }],
      ['alg: none with the real payload', bearer(`${b64json({ alg: 'none' })}.${realPayload}.`)],
      ['alg: none, typ JWT, fresh claims', bearer(`${b64json({ alg: 'none', typ: 'JWT' })}.${b64json(claims)}.`)],
      ['alg: "None"', bearer(`${b64json({ alg: 'None' })}.${realPayload}.`)],
      ['the real token with its signature removed', bearer(`${realHeader}.${realPayload}.`)],
      ['HS384 with the real secret', bearer(await sign(claims, secret, 'HS384'))],
      ['HS512 with the real secret', bearer(await sign(claims, secret, 'HS512'))],
      ['RS256 with a generated RSA key', bearer(await sign(claims, rsa, 'RS256'))],
      ['HS256 keyed with an RSA public key PEM (algorithm confusion)', bearer(await sign(claims, new TextEncoder().encode(publicPem), 'HS256'))],
      ['HS256 with a wrong secret', bearer(await sign(claims, randomBytes(32), 'HS256'))],
      ['HS256 with the secret of another deployment of the same length', bearer(await sign(claims, new TextEncoder().encode(randomBytes(32).toString('hex')), 'HS256'))],
      ["another user's real token with sub changed to the owner (signature kept)", bearer(`${otherHeader}.${b64json({ ...otherClaims, sub: subjectOf(o.user.id) })}.${otherSignature}`)],
      ["the owner's real token with exp pushed a day later (signature kept)", bearer(`${realHeader}.${b64json({ ...JSON.parse(Buffer.from(realPayload, 'base64url').toString('utf8')), exp: now + 86_400 })}.${o.user.accessToken.split('.')[2]}`)],
      ['expired a minute ago (real secret)', bearer(await sign(claimsFor(o.user.id, { iat: now - 16 * 60, exp: now - 60 }), secret, 'HS256'))],
      ['without jti (real secret)', bearer(await sign({ ...claims, jti: undefined }, secret, 'HS256'))],
      ['without exp (real secret)', bearer(await sign({ ...claims, exp: undefined }, secret, 'HS256'))],
      ['with a sub that is the plain UUID (real secret)', bearer(await sign({ ...claims, sub: o.user.id }, secret, 'HS256'))],
      ['for a user that does not exist (real secret)', bearer(await sign(claimsFor(randomUUID()), secret, 'HS256'))],
      ['of a logged-out session', bearer(loggedOut)],
      ['an API key of the owner', bearer(o.key)],
      ['a service credential of the owner', bearer(o.service)],
    ];
  }

  it('refuses the algorithms that do not fit the Authorization cap in the token verifier itself (HS512, RS256, ES256)', async () => {
    // Over HTTP these are refused by the 200-character cap before any parsing; the verifier must
    // refuse them on its own too.
    const user = await registerUser(t.app);
    const claims = claimsFor(user.id);
    const es = await generateKeyPair('ES256');
    for (const token of [await sign(claims, secret, 'HS512'), await sign(claims, rsa, 'RS256'), await sign(claims, es.privateKey, 'ES256'), await sign(claims, secret, 'HS384')]) {
      expect(await t.deps.accessTokens.verify(token), token.split('.')[0]).toBeNull();
    }
    expect(await t.deps.accessTokens.verify(await sign(claims, secret, 'HS256'))).not.toBeNull();
  });

  it('refuses an HS256 token keyed with the PEM of a key pair the attacker controls, in the verifier too', async () => {
    const user = await registerUser(t.app);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await t.deps.accessTokens.verify(await sign(claimsFor(user.id), new TextEncoder().encode(pem), 'HS256'))).toBeNull();
  });

  describe('forged or missing tokens → 401 unauthorized, and nothing changes', () => {
    it.each(management.map((r) => [routeName(r), r] as const))('%s', async (_name, route) => {
      const o = await owner();
      const before = await snapshot(o);
      const failures: string[] = [];
      for (const [name, headers] of await forgeries(o)) {
        const response = await inject(requestFor(route, idsOf(o), headers, o.invitationToken));
        const wrong = mismatch(response, 401, 'unauthorized');
        if (wrong !== null) failures.push(`${name}: ${wrong}`);
      }
      expect(failures, failures.join('\n')).toEqual([]);
      expect(await snapshot(o)).toEqual(before);
      // The owner's credentials still verify: no forged request revoked, rotated or disabled them.
      expect((await verifyKey(t.app, o.key)).statusCode).toBe(200);
      expect((await verifyService(t.app, o.service)).statusCode).toBe(200);
      // And the same request with the owner's real token is not refused: the route is reachable.
      const control = await inject(requestFor(route, idsOf(o), bearer(o.user.accessToken), o.invitationToken));
      expect(control.statusCode, control.body).toBeGreaterThanOrEqual(200);
      expect(control.statusCode, control.body).toBeLessThan(300);
    });
  });

  describe("another user's objects → 404 not_found, as for ids that do not exist, and nothing changes", () => {
    let intruder: Owned;
    beforeAll(async () => {
      intruder = await owner();
    });

    it.each(withIds.map((r) => [routeName(r), r] as const))('%s', async (_name, route) => {
      const victim = await owner();
      const before = await snapshot(victim);
      const token = bearer(intruder.user.accessToken);
      const attempts: Array<[string, Record<string, string>]> = [
        ["the victim's ids", idsOf(victim)],
        ["the intruder's project with the victim's key and service", { ...idsOf(victim), projectId: intruder.projectId, id: intruder.projectId }],
        ["the victim's project with the intruder's key and service", { ...idsOf(intruder), projectId: victim.projectId, id: victim.projectId }],
      ];
      const failures: string[] = [];
      const victimIds = new Set(Object.values(idsOf(victim)));
      for (const [name, ids] of attempts) {
        // Skip combinations that are entirely the intruder's own (the route has no key/service id).
        if (route.params.every((p) => ids[p] === idsOf(intruder)[p])) continue;
        const response = await inject(requestFor(route, ids, token));
        const wrong = mismatch(response, 404, 'not_found');
        if (wrong !== null) failures.push(`${name}: ${wrong}`);
        else {
          // The same answer as with the victim's ids replaced by ids that exist nowhere.
          const unknown = Object.fromEntries(Object.entries(ids).map(([name, value]) => [name, victimIds.has(value) ? randomUUID() : value]));
          const absent = await inject(requestFor(route, unknown, token));
          if (absent.statusCode !== 404 || errorOf(absent)?.message !== errorOf(response)?.message) failures.push(`${name}: answered unlike an unknown id (${absent.statusCode} ${absent.body.slice(0, 120)} vs ${response.body.slice(0, 120)})`);
        }
      }
      expect(failures, failures.join('\n')).toEqual([]);
      expect(await snapshot(victim)).toEqual(before);
      expect((await verifyKey(t.app, victim.key)).statusCode).toBe(200);
      expect((await verifyService(t.app, victim.service)).statusCode).toBe(200);
    });

    it("does not list another user's projects, nor filter the audit log by another user's key", async () => {
      const victim = await owner();
      const projects = await inject({ method: 'GET', url: '/v1/projects', headers: bearer(intruder.user.accessToken) });
      expect(projects.statusCode).toBe(200);
      expect(projects.json<Array<{ id: string }>>().map((p) => p.id)).not.toContain(victim.projectId);
      for (const filter of [`keyId=${victim.keyId}`, `serviceId=${victim.serviceId}`]) {
        const audit = await inject({ method: 'GET', url: `/v1/projects/${intruder.projectId}/audit?${filter}`, headers: bearer(intruder.user.accessToken) });
        expect(audit.statusCode, audit.body).toBe(200);
        expect(audit.json()).toEqual([]);
      }
    });
  });

  describe('mass assignment: fields a client may not set → 400 validation_error, and nothing changes', () => {
    /** Field → a value an attacker would like to set. */
    function forbidden(o: Owned, other: Owned): Record<string, unknown> {
      return {
        id: randomUUID(),
        projectId: other.projectId,
        project_id: other.projectId,
        owner_id: other.user.id,
        userId: other.user.id,
        user_id: other.user.id,
        digest: 'a'.repeat(64),
        key: o.key,
        keyHash: 'a'.repeat(64),
        secret: 'x'.repeat(43),
        publicId: 'AAAAAAAAAAAAAAAA',
        public_id: 'AAAAAAAAAAAAAAAA',
        prefix: 'sk_live_AAAAAAAAAAAAAAAA',
        createdAt: '2000-01-01T00:00:00Z',
        created_at: '2000-01-01T00:00:00Z',
        updatedAt: '2000-01-01T00:00:00Z',
        revoked: true,
        revokedAt: '2000-01-01T00:00:00Z',
        revoked_at: '2000-01-01T00:00:00Z',
        revokeReason: 'x',
        replacedBy: randomUUID(),
        lastUsedAt: '2000-01-01T00:00:00Z',
        status: 'revoked',
        usage: { totalVerifications: 0 },
        isAdmin: true,
        role: 'admin',
      };
    }

    let other: Owned;
    beforeAll(async () => {
      other = await owner();
    });

    const send = (o: Owned, method: InjectOptions['method'], url: string, payload: Record<string, unknown>): Promise<LightMyRequestResponse> =>
      inject({ method, url, headers: bearer(o.user.accessToken), payload });

    it('POST /v1/projects refuses every such field (ownerId included) and creates nothing', async () => {
      const o = await owner();
      const before = await snapshot(o);
      const failures: string[] = [];
      for (const [field, value] of Object.entries({ ...forbidden(o, other), ownerId: other.user.id })) {
        const wrong = mismatch(await send(o, 'POST', '/v1/projects', { name: `mass-${field}`, [field]: value }), 400, 'validation_error');
        if (wrong !== null) failures.push(`${field}: ${wrong}`);
      }
      expect(failures, failures.join('\n')).toEqual([]);
      expect(await snapshot(o)).toEqual(before);
      const theirs = await inject({ method: 'GET', url: '/v1/projects', headers: bearer(other.user.accessToken) });
      expect(theirs.json<Array<{ name: string }>>().map((p) => p.name).filter((n) => n.startsWith('mass-'))).toEqual([]);
    });

    for (const [segment, extra] of [
      ['keys', { name: 'not-a-key-field', environment: undefined }],
      ['services', { label: 'not-a-service-field', environment: undefined }],
    ] as const) {
      it(`POST /v1/projects/:projectId/${segment} refuses every such field and creates nothing`, async () => {
        const o = await owner();
        const before = await snapshot(o);
        const failures: string[] = [];
        const fields = { ...forbidden(o, other), ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) };
        for (const [field, value] of Object.entries(fields)) {
          const base = segment === 'services' ? { name: `mass-${field.toLowerCase().replace(/[^a-z0-9-]/g, '-')}` } : { label: `mass-${field}` };
          const wrong = mismatch(await send(o, 'POST', `/v1/projects/${o.projectId}/${segment}`, { ...base, [field]: value }), 400, 'validation_error');
          if (wrong !== null) failures.push(`${field}: ${wrong}`);
        }
        expect(failures, failures.join('\n')).toEqual([]);
        expect(await snapshot(o)).toEqual(before);
        // Nothing landed in the other user's project either.
        const theirs = await inject({ method: 'GET', url: `/v1/projects/${other.projectId}/${segment}`, headers: bearer(other.user.accessToken) });
        expect(theirs.json<unknown[]>()).toHaveLength(1);
      });

      it(`PATCH /v1/projects/:projectId/${segment}/:id refuses every such field (and environment) and changes nothing`, async () => {
        const o = await owner();
        const id = segment === 'keys' ? o.keyId : o.serviceId;
        const before = await snapshot(o);
        const failures: string[] = [];
        const fields = { ...forbidden(o, other), ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)), environment: 'test' };
        for (const [field, value] of Object.entries(fields)) {
          // A legitimate change rides along: it must not be applied either.
          const wrong = mismatch(await send(o, 'PATCH', `/v1/projects/${o.projectId}/${segment}/${id}`, { tags: ['changed'], [field]: value }), 400, 'validation_error');
          if (wrong !== null) failures.push(`${field}: ${wrong}`);
        }
        expect(failures, failures.join('\n')).toEqual([]);
        expect(await snapshot(o)).toEqual(before);
      });

      it(`POST …/${segment}/:id/rotate and DELETE …/${segment}/:id refuse such fields and neither rotate nor revoke`, async () => {
        const o = await owner();
        const id = segment === 'keys' ? o.keyId : o.serviceId;
        const before = await snapshot(o);
        const failures: string[] = [];
        for (const [field, value] of Object.entries(forbidden(o, other))) {
          const rotated = mismatch(await send(o, 'POST', `/v1/projects/${o.projectId}/${segment}/${id}/rotate`, { [field]: value }), 400, 'validation_error');
          if (rotated !== null) failures.push(`rotate ${field}: ${rotated}`);
          const revoked = mismatch(await send(o, 'DELETE', `/v1/projects/${o.projectId}/${segment}/${id}`, { reason: 'x', [field]: value }), 400, 'validation_error');
          if (revoked !== null) failures.push(`revoke ${field}: ${revoked}`);
        }
        expect(failures, failures.join('\n')).toEqual([]);
        expect(await snapshot(o)).toEqual(before);
        expect((await (segment === 'keys' ? verifyKey(t.app, o.key) : verifyService(t.app, o.service))).statusCode).toBe(200);
      });
    }

    it('refuses prototype keys in a body as invalid, on every route with a body, and changes nothing', async () => {
      const o = await owner();
      const before = await snapshot(o);
      const failures: string[] = [];
      for (const route of management.filter((r) => r.bodySchema !== undefined)) {
        for (const extra of ['"__proto__":{"isAdmin":true,"revoked":true}', '"constructor":{"prototype":{"isAdmin":true}}']) {
          const valid = JSON.stringify(validValue(route.bodySchema));
          const payload = valid === '{}' ? `{${extra}}` : `${valid.slice(0, -1)},${extra}}`;
          const response = await inject({ method: route.method as InjectOptions['method'], url: fillPath(route, idsOf(o)), headers: { ...bearer(o.user.accessToken), 'content-type': 'application/json' }, payload });
          const wrong = mismatch(response, 400, 'validation_error');
          if (wrong !== null) failures.push(`${routeName(route)} ${extra}: ${wrong}`);
        }
      }
      expect(failures, failures.join('\n')).toEqual([]);
      expect(await snapshot(o)).toEqual(before);
    });

    it('POST /v1/auth/register refuses such fields and creates no account', async () => {
      const failures: string[] = [];
      for (const [field, value] of Object.entries({ id: randomUUID(), createdAt: '2000-01-01T00:00:00Z', role: 'admin', isAdmin: true, passwordHash: 'x', emailVerified: true })) {
        const email = `mass-${randomUUID()}@example.com`;
        const response = await inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'correct horse battery', [field]: value } });
        const wrong = mismatch(response, 400, 'validation_error');
        if (wrong !== null) failures.push(`${field}: ${wrong}`);
        const login = await inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'correct horse battery' } });
        if (login.statusCode !== 401) failures.push(`${field}: the account exists (login ${login.statusCode})`);
      }
      expect(failures, failures.join('\n')).toEqual([]);
    });
  });
});
