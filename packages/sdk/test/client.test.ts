import { randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor, ElyzorError, type SessionTokens } from '../src/index.js';
import { countingFetch, startElyzor, type RunningElyzor } from './helpers.js';

/** Every method of the client against a real Elyzor over HTTP (the backend of this test project). */
let elyzor: RunningElyzor;
beforeAll(async () => {
  elyzor = await startElyzor();
});
afterAll(async () => {
  await elyzor?.close();
});

const email = (): string => `sdk-${randomUUID()}@example.com`;
const PASSWORD = 'correct horse battery';

async function loggedIn(): Promise<{ client: Elyzor; login: Awaited<ReturnType<Elyzor['auth']['login']>> }> {
  const client = new Elyzor({ baseUrl: elyzor.baseUrl });
  const login = await client.auth.register(email(), PASSWORD);
  return { client, login };
}

async function thrown(promise: Promise<unknown>): Promise<ElyzorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ElyzorError) return error;
    throw error;
  }
  throw new Error('expected an ElyzorError');
}

describe('auth', () => {
  it('register, login, me, refresh, logout, logout-all', async () => {
    const address = email();
    const tokens: SessionTokens[] = [];
    const client = new Elyzor({ baseUrl: elyzor.baseUrl, onTokens: (t) => tokens.push(t) });
    const registered = await client.auth.register(address, PASSWORD);
    expect(registered.user.email).toBe(address);
    expect(registered.refreshToken).toEqual(expect.any(String));
    expect(await client.auth.me()).toMatchObject({ id: registered.user.id, email: address });

    const login = await client.auth.login(address, PASSWORD);
    expect(login.accessToken).toEqual(expect.any(String));
    const refreshed = await client.auth.refresh();
    expect(refreshed.refreshToken).toEqual(expect.any(String));
    expect(refreshed.refreshToken).not.toBe(login.refreshToken);
    expect(tokens.map((t) => t.accessToken)).toEqual([registered.accessToken, login.accessToken, refreshed.accessToken]);
    expect((await client.auth.me()).id).toBe(registered.user.id);

    await client.auth.logout();
    expect((await thrown(new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: refreshed.accessToken }).auth.me())).code).toBe('unauthorized');

    const again = await client.auth.login(address, PASSWORD);
    const other = new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: again.accessToken });
    await client.auth.logoutAll();
    expect((await thrown(other.auth.me())).status).toBe(401);
  });

  it('a wrong password is ElyzorError invalid_credentials with the request id', async () => {
    const client = new Elyzor({ baseUrl: elyzor.baseUrl });
    const error = await thrown(client.auth.login(email(), 'not the password'));
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Invalid email or password' });
    expect(error.requestId).toEqual(expect.any(String));
  });
});

describe('projects, keys, services, verify, stats, audit', () => {
  it('projects: create, list with pages and the iterator, delete', async () => {
    const { client } = await loggedIn();
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const name of names) await client.projects.create({ name });
    const first = await client.projects.list({ limit: 2 });
    expect(first.items.map((p) => p.name)).toEqual(['five', 'four']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const pages: string[][] = [];
    for await (const page of client.projects.pages({ limit: 2 })) pages.push(page.items.map((p) => p.name));
    expect(pages).toEqual([['five', 'four'], ['three', 'two'], ['one']]);
    const all: string[] = [];
    for await (const project of client.projects.iterate({ limit: 2 })) all.push(project.name);
    expect(all).toEqual([...names].reverse());
    const doomed = (await client.projects.list({ limit: 1 })).items[0];
    await client.projects.delete(doomed?.id ?? '');
    expect((await thrown(client.projects.delete(doomed?.id ?? ''))).code).toBe('not_found');
  });

  it('projects: rename, with the server’s refusals as typed errors', async () => {
    const { client } = await loggedIn();
    const project = await client.projects.create({ name: 'draft' });
    expect(await client.projects.update(project.id, { name: 'final' })).toEqual({ ...project, name: 'final' });
    expect((await client.projects.list()).items.map((p) => p.name)).toEqual(['final']);
    expect(await thrown(client.projects.update(project.id, { name: ' ' }))).toMatchObject({ status: 400, code: 'validation_error' });
    expect(await thrown(client.projects.update('00000000-0000-4000-8000-000000000000', { name: 'x' }))).toMatchObject({ status: 404, code: 'not_found' });
    const { client: stranger } = await loggedIn();
    expect(await thrown(stranger.projects.update(project.id, { name: 'mine' }))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('keys: create, list, get, update, usage, rotate, revoke; verify every way', async () => {
    const { client } = await loggedIn();
    const project = await client.projects.create({ name: 'api' });
    const issued = await client.keys.create(project.id, { label: 'acme', scopes: ['read:invoices'], tags: ['pro'], ownerId: 'cus_1' });
    expect(issued.key).toMatch(/^sk_live_/);
    await client.keys.create(project.id, { label: 'other' });

    const verified = await client.verify(issued.key, { scopes: ['read:invoices'] });
    expect(verified).toMatchObject({ valid: true, keyId: issued.id, projectId: project.id, ownerId: 'cus_1' });
    expect(await client.verify(issued.key, { scopes: ['write:invoices'] })).toEqual({ valid: false, error: 'insufficient_scope', missingScopes: ['write:invoices'] });
    expect(await client.verify('sk_live_nope.nope')).toEqual({ valid: false, error: 'invalid_key' });

    const listed = await client.keys.list(project.id, { tag: 'pro' });
    expect(listed.items.map((k) => k.id)).toEqual([issued.id]);
    const every: string[] = [];
    for await (const key of client.keys.iterate(project.id, { limit: 1 })) every.push(key.label ?? '');
    expect(every).toEqual(['other', 'acme']);
    const got = await client.keys.get(project.id, issued.id);
    expect(got.usage.totalVerifications).toBeGreaterThanOrEqual(0);

    const updated = await client.keys.update(project.id, issued.id, { enabled: false });
    expect(updated.status).toBe('disabled');
    expect(await client.verify(issued.key)).toEqual({ valid: false, error: 'key_disabled' });
    await client.keys.update(project.id, issued.id, { enabled: true });

    const series = await client.keys.usage(project.id, issued.id, { range: '1d' });
    expect(series).toMatchObject({ id: issued.id, range: '1d' });

    const rotated = await client.keys.rotate(project.id, issued.id, { gracePeriodSeconds: 0 });
    expect(rotated.key).not.toBe(issued.key);
    expect(await client.verify(issued.key)).toEqual({ valid: false, error: 'key_revoked' });
    await client.keys.revoke(project.id, rotated.id, { reason: 'leaked' });
    expect((await client.verify(rotated.key)).valid).toBe(false);
    expect(await thrown(client.keys.revoke(project.id, rotated.id))).toMatchObject({ status: 403, code: 'already_revoked' });
  });

  it('services: the same operations, and verifyService', async () => {
    const { client } = await loggedIn();
    const project = await client.projects.create({ name: 'mesh' });
    const service = await client.services.create(project.id, { name: 'billing', scopes: ['read:orders'] });
    expect(service.key).toMatch(/^svc_live_/);
    expect(await client.verifyService(service.key)).toMatchObject({ valid: true, service: { id: service.id, name: 'billing' } });
    expect(await client.verify(service.key)).toEqual({ valid: false, error: 'invalid_key' });
    expect((await client.services.list(project.id)).items.map((s) => s.name)).toEqual(['billing']);
    expect((await client.services.get(project.id, service.id)).usage).toBeDefined();
    expect((await client.services.update(project.id, service.id, { name: 'billing-v2' })).name).toBe('billing-v2');
    expect((await client.services.usage(project.id, service.id)).id).toBe(service.id);
    const next = await client.services.rotate(project.id, service.id);
    await client.services.revoke(project.id, next.id);
    expect(await client.verifyService(next.key)).toEqual({ valid: false, error: 'service_revoked' });
  });

  it('a rate-limited verification resolves with retryAfter; stats and audit read it back, the audit in pages and as CSV', async () => {
    const { client } = await loggedIn();
    const project = await client.projects.create({ name: 'metered' });
    const issued = await client.keys.create(project.id, { rateLimit: { limit: 1, windowSeconds: 3600 } });
    expect((await client.verify(issued.key)).valid).toBe(true);
    const refused = await client.verify(issued.key);
    expect(refused).toMatchObject({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });

    const stats = await client.stats.get(project.id, { range: '1d' });
    expect(stats.totalRequests).toBe(2);
    expect(stats.rateLimitHits).toBe(1);

    for (let i = 0; i < 3; i++) await client.keys.update(project.id, issued.id, { tags: [`t${i}`] });
    const page = await client.audit.list(project.id, { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    const actions: string[] = [];
    for await (const event of client.audit.iterate(project.id, { limit: 2 })) actions.push(event.action);
    expect(actions.filter((a) => a === 'key.updated')).toHaveLength(3);
    expect(actions).toContain('key.created');
    expect(actions).toContain('project.created');
    let pages = 0;
    for await (const _ of client.audit.pages(project.id, { limit: 2 })) pages++;
    expect(pages).toBe(Math.ceil(actions.length / 2));

    const csv = await client.audit.exportCsv(project.id, { limit: 2 });
    const lines = csv.trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('id,createdAt,action,actorId,targetType,targetId,outcome,count,requestId,ip,changes');
    expect(lines).toHaveLength(actions.length + 1);
  });

  it('health', async () => {
    expect(await new Elyzor({ baseUrl: elyzor.baseUrl }).health()).toMatchObject({ status: 'ok', database: 'ok' });
  });
});

describe('error mapping', () => {
  it('404, 400 with details, 401: status, the catalogue code, message and request id', async () => {
    const { client } = await loggedIn();
    const missing = await thrown(client.keys.get(randomUUID(), randomUUID()));
    expect(missing).toBeInstanceOf(ElyzorError);
    expect(missing).toMatchObject({ name: 'ElyzorError', status: 404, code: 'not_found' });
    expect(missing.requestId).toEqual(expect.any(String));
    const invalid = await thrown(client.projects.create({ name: '' }));
    expect(invalid).toMatchObject({ status: 400, code: 'validation_error' });
    expect((invalid.body as { details?: unknown[] }).details?.length).toBeGreaterThan(0);
    const anonymous = await thrown(new Elyzor({ baseUrl: elyzor.baseUrl }).projects.list());
    expect(anonymous).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('a verification with a malformed body throws validation_error instead of resolving', async () => {
    const client = new Elyzor({ baseUrl: elyzor.baseUrl });
    expect(await thrown(client.verify('sk_live_x.y', { cost: -1 }))).toMatchObject({ status: 400, code: 'validation_error' });
  });
});

describe('refresh', () => {
  it('a 401 with an access token and a refresh token: one refresh, one retry, the new tokens are adopted', async () => {
    const { login } = await loggedIn();
    const counter = countingFetch();
    const tokens: SessionTokens[] = [];
    // A token that the server refuses, as an expired one would be.
    const client = new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: 'expired', refreshToken: login.refreshToken ?? '', fetch: counter.fetch, onTokens: (t) => tokens.push(t) });
    expect((await client.auth.me()).id).toBe(login.user.id);
    expect(counter.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v1/auth/me', 'POST /v1/auth/refresh', 'GET /v1/auth/me']);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.refreshToken).not.toBe(login.refreshToken);
    // The next call uses the new token at once.
    await client.auth.me();
    expect(counter.calls).toHaveLength(4);
  });

  it('concurrent 401s share one refresh', async () => {
    const { login } = await loggedIn();
    const counter = countingFetch();
    const client = new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: 'expired', refreshToken: login.refreshToken ?? '', fetch: counter.fetch });
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.auth.me()));
    expect(answers.every((me) => me.id === login.user.id)).toBe(true);
    expect(counter.calls.filter((c) => c.path === '/v1/auth/refresh')).toHaveLength(1);
  });

  it('a refresh that fails ends in its error; no second refresh', async () => {
    const counter = countingFetch();
    const client = new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: 'expired', refreshToken: 'not-a-refresh-token', fetch: counter.fetch });
    expect(await thrown(client.auth.me())).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(counter.calls.map((c) => c.path)).toEqual(['/v1/auth/me', '/v1/auth/refresh']);
  });

  it('a root key is sent as-is and never refreshed', async () => {
    const counter = countingFetch();
    const client = new Elyzor({ baseUrl: elyzor.baseUrl, rootKey: 'rk_live_abc.def', refreshToken: 'would-be-ignored', fetch: counter.fetch });
    expect(await thrown(client.projects.list())).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(counter.calls.map((c) => c.path)).toEqual(['/v1/projects']);
  });

  it('without a refresh token a 401 is thrown as it is', async () => {
    const counter = countingFetch();
    const client = new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: 'expired', fetch: counter.fetch });
    expect((await thrown(client.auth.me())).code).toBe('unauthorized');
    expect(counter.calls).toHaveLength(1);
  });
});

/**
 * A browser's cookie jar for one origin, for `cookieSession`: keeps what Set-Cookie sets (with
 * its path) and sends it back on requests below that path, as a browser does on its own origin.
 */
function browserLikeFetch(): { fetch: typeof fetch; refreshBodies: unknown[] } {
  const jar = new Map<string, { value: string; path: string }>();
  const refreshBodies: unknown[] = [];
  return {
    refreshBodies,
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const headers = new Headers(init?.headers);
      const cookies = [...jar].filter(([, c]) => url.pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`);
      if (cookies.length > 0) headers.set('cookie', cookies.join('; '));
      if (url.pathname === '/v1/auth/refresh') refreshBodies.push(JSON.parse(String(init?.body ?? '{}')));
      const response = await fetch(input, { ...init, headers });
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
        const [name = '', value = ''] = pair.split('=');
        const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
        if (value === '') jar.delete(name);
        else jar.set(name, { value, path });
      }
      return response;
    },
  };
}

describe('cookieSession (a browser on Elyzor’s origin)', () => {
  const clock = new ManualClock();
  let timed: RunningElyzor;
  beforeAll(async () => {
    timed = await startElyzor({ clock });
  });
  afterAll(async () => {
    await timed?.close();
  });

  it('holds no refresh token, refreshes with the cookie alone after a 401, and resumes a session with auth.refresh()', async () => {
    const browser = browserLikeFetch();
    const tokens: SessionTokens[] = [];
    const client = new Elyzor({ baseUrl: timed.baseUrl, fetch: browser.fetch, cookieSession: true, onTokens: (t) => tokens.push(t) });
    const address = email();
    await client.auth.register(address, PASSWORD);
    expect(tokens.every((t) => t.refreshToken === null)).toBe(true);

    // A page reload: a new client with nothing in memory resumes from the cookie.
    const reloaded = new Elyzor({ baseUrl: timed.baseUrl, fetch: browser.fetch, cookieSession: true });
    const resumed = await reloaded.auth.refresh();
    expect(resumed.refreshToken).toBeNull();
    expect((await reloaded.auth.me()).email).toBe(address);

    // The access token expires; the next call refreshes through the cookie, silently, and succeeds.
    clock.advance(16 * 60_000);
    expect((await reloaded.auth.me()).email).toBe(address);
    expect(browser.refreshBodies.every((body) => JSON.stringify(body) === '{}')).toBe(true);
    expect(browser.refreshBodies.length).toBe(2);
  });

  it('without a cookie, a refresh is 401 invalid_token, not a retry loop', async () => {
    const browser = browserLikeFetch();
    const client = new Elyzor({ baseUrl: timed.baseUrl, fetch: browser.fetch, cookieSession: true });
    expect((await thrown(client.auth.refresh())).status).toBe(401);
    expect((await thrown(client.auth.me())).status).toBe(401);
    expect(browser.refreshBodies.length).toBe(2);
  });
});
