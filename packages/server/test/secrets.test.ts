import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CHECKSUM_LENGTH, ManualClock, SECRET_BODY_LENGTH, encodeBase62, generateCredential, randomBase62 } from '@elyzor/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { successorKey } from '../src/auth/refresh-chain.js';
import { backend, bearer, refreshCookieOf, startApp, type TestApp } from './helpers/harness.js';

/**
 * "Secrets stay secret": one app, logging everything it can (`trace`), goes through a full
 * scenario. Every plaintext secret that crossed the wire — passwords (right and wrong), access
 * tokens, refresh tokens, every issued credential and its secret part, forged or tampered strings
 * built from them, the JWT signing secret — is then searched for in the captured log lines and in
 * every row of every table (and, with Redis, every key and value under the app's prefix).
 */

interface Secret {
  label: string;
  value: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A password nobody else uses, with a space so the row text of a leak would be quoted. */
const newPassword = (): string => `pw ${randomBytes(12).toString('base64url')}`;

/** The same public id as `key` with another secret and a valid checksum. */
function withForgedSecret(key: string): string {
  const body = `${key.slice(0, key.indexOf('.'))}.${randomBase62(SECRET_BODY_LENGTH)}`;
  return body + encodeBase62(crc32(body), CHECKSUM_LENGTH);
}

/** An access token with its payload changed and the original signature kept. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  claims.exp = Number(claims.exp) + 86_400;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

function expectStatus(response: LightMyRequestResponse, status: number, what: string): void {
  if (response.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${response.statusCode} ${response.body}`);
}

/** Every value under `key` names in a parsed log line, at any depth. */
function valuesNamed(value: unknown, names: Set<string>, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) {
    for (const item of value) valuesNamed(item, names, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (names.has(key.toLowerCase())) found.push(inner);
      valuesNamed(inner, names, found);
    }
  }
  return found;
}

describe(`secrets stay secret (${backend})`, () => {
  const redisPrefix = `elyzor-test:${randomUUID()}:`;
  let t: TestApp;
  /** Moved only to take a replayed refresh token past the reuse grace. */
  const clock = new ManualClock();
  const secrets: Secret[] = [];
  /** Passwords, kept apart for the hash checks. */
  const passwords: Array<{ email: string; password: string }> = [];
  /** Credentials whose digests the database may hold and the logs may not. */
  const credentials: string[] = [];
  let ownerEmail = '';
  let firstKey = '';
  let firstRefreshToken = '';
  /** Status of the request that may reach the generic 500 handler (see the scenario). */
  let unexpectedPathStatus = 0;
  let requestsSent = 0;

  const keep = (label: string, value: string | undefined): void => {
    if (value === undefined || value === '') throw new Error(`no value for ${label}`);
    secrets.push({ label, value });
  };
  /** A credential string: the whole of it and the secret after the dot. */
  const keepCredential = (label: string, key: string): void => {
    keep(label, key);
    keep(`${label} (secret part)`, key.slice(key.indexOf('.') + 1));
    credentials.push(key);
  };

  beforeAll(async () => {
    t = await startApp({ logLevel: 'trace', redisPrefix, clock, env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '100' } });
    // Every request of the scenario is counted, to check that each one left its log line.
    const real = t.app;
    const app = {
      inject: (options: InjectOptions): Promise<LightMyRequestResponse> => {
        requestsSent += 1;
        return real.inject(options);
      },
    };
    keep('JWT signing secret', t.config.jwtSecret);
    const refreshSuccessorKey = successorKey(t.config.jwtSecret ?? '');
    keep('refresh-token successor key (hex)', refreshSuccessorKey.toString('hex'));
    keep('refresh-token successor key (base64url)', refreshSuccessorKey.toString('base64url'));

    // Accounts: two registrations, one attempt on a taken email, a wrong and a right login.
    ownerEmail = `owner-${randomUUID()}@example.com`;
    const ownerPassword = newPassword();
    passwords.push({ email: ownerEmail, password: ownerPassword });
    keep('owner password', ownerPassword);
    const registered = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: ownerEmail, password: ownerPassword } });
    expectStatus(registered, 201, 'register');
    keep('access token (register)', registered.json<{ accessToken: string }>().accessToken);
    firstRefreshToken = refreshCookieOf(registered) ?? '';
    keep('refresh token (register)', firstRefreshToken);

    const takenPassword = newPassword();
    keep('password of a registration on a taken email', takenPassword);
    expectStatus(
      await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: ownerEmail.toUpperCase(), password: takenPassword } }),
      400,
      'register a taken email',
    );

    const wrongPassword = newPassword();
    keep('wrong password', wrongPassword);
    expectStatus(await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: ownerEmail, password: wrongPassword } }), 401, 'wrong login');
    const unknownPassword = newPassword();
    keep('password tried on an unknown email', unknownPassword);
    expectStatus(
      await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: `nobody-${randomUUID()}@example.com`, password: unknownPassword } }),
      401,
      'login on an unknown email',
    );

    const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: ownerEmail, password: ownerPassword } });
    expectStatus(login, 200, 'login');
    keep('access token (login)', login.json<{ accessToken: string }>().accessToken);
    const loginRefresh = refreshCookieOf(login) ?? '';
    keep('refresh token (login)', loginRefresh);

    // Refresh with the cookie, then with the body.
    const byCookie = await app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refreshToken: loginRefresh } });
    expectStatus(byCookie, 200, 'refresh (cookie)');
    keep('access token (refresh by cookie)', byCookie.json<{ accessToken: string }>().accessToken);
    const cookieRefresh = refreshCookieOf(byCookie) ?? '';
    keep('refresh token (refresh by cookie)', cookieRefresh);
    const byBody = await app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: cookieRefresh } });
    expectStatus(byBody, 200, 'refresh (body)');
    const bodyTokens = byBody.json<{ accessToken: string; refreshToken: string }>();
    keep('access token (refresh by body)', bodyTokens.accessToken);
    keep('refresh token (refresh by body)', bodyTokens.refreshToken);
    const token = bodyTokens.accessToken;
    const sessionRefresh = bodyTokens.refreshToken;
    const unknownRefresh = randomBase62(43);
    keep('unknown refresh token', unknownRefresh);
    expectStatus(await app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: unknownRefresh } }), 401, 'unknown refresh token');
    expectStatus(await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) }), 200, 'me');

    // A project with keys (one with policy) and services.
    const project = await app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(token), payload: { name: 'secrets' } });
    expectStatus(project, 201, 'create project');
    const projectId = project.json<{ id: string }>().id;
    const base = `/v1/projects/${projectId}`;
    const issue = async (url: string, payload: Record<string, unknown>, label: string): Promise<{ id: string; key: string }> => {
      const response = await app.inject({ method: 'POST', url: `${base}${url}`, headers: bearer(token), payload });
      expectStatus(response, 201, label);
      const body = response.json<{ id: string; key: string }>();
      keepCredential(label, body.key);
      return body;
    };
    const plain = await issue('/keys', { label: 'plain' }, 'plain key');
    firstKey = plain.key;
    const limited = await issue(
      '/keys',
      {
        label: 'with policy',
        scopes: ['read:invoices'],
        resources: { 'project:1': ['write'] },
        metadata: { plan: 'pro' },
        tags: ['pro'],
        ownerId: 'cus_1',
        ipAllowlist: ['203.0.113.0/24'],
        ipDenylist: ['203.0.113.66'],
        rateLimit: { limit: 2, windowSeconds: 60 },
        quota: { limit: 1000, period: 'day' },
      },
      'key with policy',
    );
    const testKey = await issue('/keys', { label: 'test environment', environment: 'test', credits: { remaining: 5, refill: null } }, 'test key');
    const service = await issue('/services', { name: 'billing' }, 'service');
    const scopedService = await issue('/services', { name: 'orders', scopes: ['read:orders'], rateLimit: { algorithm: 'token_bucket', limit: 10, windowSeconds: 60, burst: 5 } }, 'service with policy');

    // Verifications of every outcome.
    const verify = (key: string, payload?: Record<string, unknown>, url = '/v1/verify'): Promise<LightMyRequestResponse> =>
      app.inject({ method: 'POST', url, headers: bearer(key), ...(payload !== undefined ? { payload } : {}) });
    for (let i = 0; i < 3; i++) expectStatus(await verify(plain.key), 200, 'verify plain key');
    expectStatus(await verify(limited.key, { scopes: ['read:invoices'], ip: '203.0.113.7' }), 200, 'verify with policy');
    expectStatus(await verify(limited.key, { scopes: ['write:invoices'], ip: '203.0.113.7' }), 403, 'insufficient scope');
    expectStatus(await verify(limited.key, { ip: '203.0.113.66' }), 403, 'denied address');
    expectStatus(await verify(limited.key, { resource: 'project:1', scopes: ['write'], ip: '203.0.113.8' }), 200, 'resource scope');
    expectStatus(await verify(limited.key, { ip: '203.0.113.9' }), 429, 'rate-limited');
    expectStatus(await verify(testKey.key, { cost: 2 }), 200, 'verify test key');
    expectStatus(await verify(testKey.key, { cost: 10 }), 429, 'credits spent');
    expectStatus(await verify(service.key, undefined, '/v1/verify/service'), 200, 'verify service');
    expectStatus(await verify(scopedService.key, { scopes: ['read:orders'] }, '/v1/verify/service'), 200, 'verify scoped service');
    expectStatus(await verify(service.key), 401, 'service at /verify');
    expectStatus(await verify(plain.key, undefined, '/v1/verify/service'), 401, 'key at /verify/service');
    const unknown = generateCredential('sk').token;
    keepCredential('unknown key', unknown);
    expectStatus(await verify(unknown), 401, 'unknown key');
    const forged = withForgedSecret(plain.key);
    keepCredential('forged secret on a real public id', forged);
    expectStatus(await verify(forged), 401, 'forged secret');
    // A key sent where it does not belong: in the query string, and in an oversized header.
    expectStatus(await app.inject({ method: 'POST', url: `/v1/verify?apiKey=${encodeURIComponent(plain.key)}`, headers: bearer(plain.key) }), 200, 'key in the query string');
    expectStatus(await app.inject({ method: 'POST', url: '/v1/verify', headers: { authorization: `Bearer ${plain.key}${'x'.repeat(200)}` } }), 401, 'oversized header');

    // Rotation (immediate and with overlap), update, revocation.
    const rotated = await app.inject({ method: 'POST', url: `${base}/keys/${plain.id}/rotate`, headers: bearer(token) });
    expectStatus(rotated, 201, 'rotate');
    const replacement = rotated.json<{ id: string; key: string }>();
    keepCredential('rotated key', replacement.key);
    expectStatus(await verify(plain.key), 403, 'old key after rotation');
    const overlapped = await app.inject({ method: 'POST', url: `${base}/services/${scopedService.id}/rotate`, headers: bearer(token), payload: { gracePeriodSeconds: 3600 } });
    expectStatus(overlapped, 201, 'rotate with overlap');
    keepCredential('service rotated with overlap', overlapped.json<{ key: string }>().key);
    expectStatus(await verify(scopedService.key, { scopes: ['read:orders'] }, '/v1/verify/service'), 200, 'old service during overlap');
    expectStatus(await verify(overlapped.json<{ key: string }>().key, { scopes: ['read:orders'] }, '/v1/verify/service'), 200, 'new service');

    expectStatus(await app.inject({ method: 'PATCH', url: `${base}/keys/${replacement.id}`, headers: bearer(token), payload: { label: 'renamed', enabled: false, tags: ['paused'] } }), 200, 'patch');
    expectStatus(await verify(replacement.key), 403, 'disabled key');
    expectStatus(await app.inject({ method: 'PATCH', url: `${base}/keys/${replacement.id}`, headers: bearer(token), payload: { enabled: true, metadata: { tier: 'gold' } } }), 200, 'patch again');
    expectStatus(await app.inject({ method: 'DELETE', url: `${base}/keys/${replacement.id}`, headers: bearer(token), payload: { reason: 'leaked' } }), 204, 'revoke');
    expectStatus(await verify(replacement.key), 403, 'revoked key');
    expectStatus(await app.inject({ method: 'DELETE', url: `${base}/services/${service.id}`, headers: bearer(token) }), 204, 'revoke service');
    expectStatus(await verify(service.key, undefined, '/v1/verify/service'), 403, 'revoked service');

    // Webhooks: a signing secret at creation and another at rotation, shown once each; they are
    // stored encrypted, so neither they nor their key bytes appear in any row or log line.
    const webhook = await app.inject({ method: 'POST', url: `${base}/webhooks`, headers: bearer(token), payload: { url: 'https://webhooks.example.invalid/hook', events: ['key.created', 'key.revoked'] } });
    expectStatus(webhook, 201, 'create webhook');
    const hook = webhook.json<{ id: string; secret: string }>();
    keep('webhook secret', hook.secret);
    keep('webhook secret (key part)', hook.secret.slice('whsec_'.length));
    const resealed = await app.inject({ method: 'POST', url: `${base}/webhooks/${hook.id}/rotate-secret`, headers: bearer(token) });
    expectStatus(resealed, 200, 'rotate webhook secret');
    keep('rotated webhook secret', resealed.json<{ secret: string }>().secret);
    expectStatus(await app.inject({ method: 'POST', url: `${base}/webhooks/${hook.id}/test`, headers: bearer(token) }), 202, 'test webhook');
    // A delivery round (the name never resolves: refused, recorded), so that its tables have rows too.
    await t.deps.webhookWorker.runOnce();
    expectStatus(await app.inject({ method: 'GET', url: `${base}/webhooks`, headers: bearer(token) }), 200, 'list webhooks');
    expectStatus(await app.inject({ method: 'GET', url: `${base}/webhooks/${hook.id}/deliveries`, headers: bearer(token) }), 200, 'list deliveries');

    // Reads: stats, one credential with usage, lists, the usage series, the audit log in both forms.
    for (const url of [`${base}/stats?range=1d`, `${base}/keys/${limited.id}`, `${base}/keys`, `${base}/services`, `${base}/keys/${limited.id}/usage`, `${base}/audit`, `${base}/audit?format=csv`, '/v1/projects']) {
      expectStatus(await app.inject({ method: 'GET', url, headers: bearer(token) }), 200, `GET ${url}`);
    }

    // Error paths: bodies over 16 KB carrying a password and a token, forged access tokens,
    // a date the database cannot take (the generic error handler, if it is reached, logs).
    expectStatus(
      await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: `big-${randomUUID()}@example.com`, password: ownerPassword, padding: 'x'.repeat(17 * 1024) } }),
      413,
      'oversized register',
    );
    expectStatus(await app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(token), payload: { name: token.repeat(120) } }), 413, 'oversized project');
    const forgedToken = tampered(token);
    keep('tampered access token', forgedToken);
    expectStatus(await app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(forgedToken) }), 401, 'tampered JWT');
    expectStatus(await app.inject({ method: 'GET', url: '/v1/projects', headers: bearer('not.a.jwt') }), 401, 'garbage JWT');
    unexpectedPathStatus = (await app.inject({ method: 'GET', url: `${base}/audit?to=2026-12-31T23:59:60Z`, headers: bearer(token) })).statusCode;

    // A second account: a retried refresh within the reuse grace, a replay of a retired refresh
    // token past it, then logout-all.
    const otherEmail = `other-${randomUUID()}@example.com`;
    const otherPassword = newPassword();
    passwords.push({ email: otherEmail, password: otherPassword });
    keep('second password', otherPassword);
    const other = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: otherEmail, password: otherPassword } });
    expectStatus(other, 201, 'register second account');
    const otherToken = other.json<{ accessToken: string }>().accessToken;
    const otherRefresh = refreshCookieOf(other) ?? '';
    keep('second access token', otherToken);
    keep('second refresh token', otherRefresh);
    const otherRotated = await app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refreshToken: otherRefresh } });
    expectStatus(otherRotated, 200, 'second refresh');
    keep('second access token (refreshed)', otherRotated.json<{ accessToken: string }>().accessToken);
    keep('second refresh token (refreshed)', refreshCookieOf(otherRotated));
    const otherRetried = await app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: otherRefresh } });
    expectStatus(otherRetried, 200, 'retried refresh');
    keep('second access token (retried refresh)', otherRetried.json<{ accessToken: string }>().accessToken);
    keep('second refresh token (retried refresh)', otherRetried.json<{ refreshToken?: string }>().refreshToken);
    clock.advance(6_000);
    expectStatus(await app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refreshToken: otherRefresh } }), 401, 'replayed refresh token');
    const otherLogin = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: otherEmail, password: otherPassword } });
    expectStatus(otherLogin, 200, 'second login');
    const otherLoginToken = otherLogin.json<{ accessToken: string }>().accessToken;
    keep('second access token (login)', otherLoginToken);
    keep('second refresh token (login)', refreshCookieOf(otherLogin));
    expectStatus(await app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(otherLoginToken) }), 204, 'logout-all');

    // Logout with the cookie, and a request with the dead token.
    expectStatus(await app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token), cookies: { refreshToken: sessionRefresh } }), 204, 'logout');
    expectStatus(await app.inject({ method: 'GET', url: '/v1/projects', headers: bearer(token) }), 401, 'logged-out token');

    await t.deps.usage.flush();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('ran every step of the scenario and logged it', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(40);
    // Every request was logged at trace level (verifications at debug), so the search below
    // looks at a log that saw everything.
    const lines = t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = lines.filter((line) => line.msg === 'request');
    expect(requestsSent).toBeGreaterThan(60);
    expect(requestLines).toHaveLength(requestsSent);
    expect(requestLines.some((line) => line.url === '/v1/verify' && line.status === 429)).toBe(true);
    expect(requestLines.some((line) => line.url === '/v1/auth/register' && line.status === 413)).toBe(true);
    expect([400, 500]).toContain(unexpectedPathStatus);
  });

  it('logs none of the secrets', () => {
    const text = t.logs.join('\n');
    const leaked = secrets.filter((secret) => text.includes(secret.value)).map((secret) => secret.label);
    expect(leaked).toEqual([]);
  });

  it('logs no Authorization, Cookie or Set-Cookie value, and no bearer string', () => {
    const lines = t.logs.map((line) => JSON.parse(line) as unknown);
    const headerValues = lines.flatMap((line) => valuesNamed(line, new Set(['authorization', 'cookie', 'set-cookie', 'cookies'])));
    expect(headerValues.filter((value) => value !== '[Redacted]')).toEqual([]);
    const text = t.logs.join('\n');
    expect(text).not.toMatch(/bearer\s/i);
    expect(text).not.toMatch(/refreshToken=/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/\b(sk|svc)_(live|test)_[0-9A-Za-z]{16}\.[0-9A-Za-z]/);
  });

  it('logs no digest of any secret', () => {
    const text = t.logs.join('\n').toLowerCase();
    const digests = secrets.flatMap((secret) => [
      { label: `${secret.label} (sha256)`, value: sha256(secret.value) },
      { label: `${secret.label} (stored digest)`, value: t.deps.digest(secret.value) },
    ]);
    expect(digests.filter((digest) => text.includes(digest.value)).map((digest) => digest.label)).toEqual([]);
    // No 64-hex string at all: a digest of anything is not log material.
    expect(text.match(/(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g) ?? []).toEqual([]);
  });

  describe('the database', () => {
    let tables: string[] = [];

    /** Labels of `needles` found in any row of `table`, the row cast to text. */
    async function foundIn(table: string, needles: Secret[]): Promise<string[]> {
      const values = needles.map((needle) => needle.value);
      const labels = needles.map((needle) => needle.label);
      const result = await sql<{ label: string }>`
        select s.label from unnest(${values}::text[], ${labels}::text[]) as s(value, label)
        where exists (select 1 from ${sql.table(table)} t where strpos(t::text, s.value) > 0)`.execute(t.deps.db);
      return result.rows.map((row) => row.label);
    }

    beforeAll(async () => {
      const result = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = current_schema() order by table_name`.execute(t.deps.db);
      tables = result.rows.map((row) => row.table_name);
    });

    it('has the tables the search must cover, each with rows', async () => {
      expect(tables).toEqual(expect.arrayContaining(['users', 'refresh_tokens', 'projects', 'credentials', 'usage_counts', 'audit_events']));
      for (const table of ['users', 'refresh_tokens', 'credentials', 'usage_counts', 'audit_events']) {
        const count = await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(t.deps.db);
        expect(Number(count.rows[0]?.n), table).toBeGreaterThan(0);
      }
    });

    it('finds what it looks for: the search sees emails and the stored digests', async () => {
      expect(await foundIn('users', [{ label: 'owner email', value: ownerEmail }])).toEqual(['owner email']);
      expect(await foundIn('credentials', [{ label: 'digest of the first key', value: t.deps.digest(firstKey) }])).toEqual(['digest of the first key']);
      expect(await foundIn('refresh_tokens', [{ label: 'digest of a refresh token', value: sha256(firstRefreshToken) }])).toEqual(['digest of a refresh token']);
    });

    it('holds none of the secrets in any row of any table, as text, hex or base64', async () => {
      const forms = secrets.flatMap((secret) => [
        secret,
        { label: `${secret.label} (hex)`, value: Buffer.from(secret.value).toString('hex') },
        { label: `${secret.label} (base64)`, value: Buffer.from(secret.value).toString('base64').replace(/=+$/, '') },
        { label: `${secret.label} (base64url)`, value: Buffer.from(secret.value).toString('base64url') },
      ]);
      const leaks: string[] = [];
      for (const table of tables) {
        for (const label of await foundIn(table, forms)) leaks.push(`${table}: ${label}`);
      }
      expect(leaks).toEqual([]);
    });

    it('stores passwords only as argon2id hashes', async () => {
      for (const { email, password } of passwords) {
        const row = await t.deps.db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow();
        expect(row.password_hash.startsWith('$argon2id$'), email).toBe(true);
        expect(row.password_hash).not.toContain(password);
        expect(row.password_hash).not.toContain(sha256(password));
      }
    });
  });

  it.runIf(backend === 'real')('holds none of the secrets in any Redis key or value', async () => {
    const redis = t.deps.redis;
    if (redis === null) throw new Error('the real backend has Redis');
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(0);
    const contents: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') contents.push(key, (await redis.get(key)) ?? '');
      else if (type === 'hash') contents.push(key, JSON.stringify(await redis.hgetall(key)));
      else if (type === 'zset') contents.push(key, (await redis.zrange(key, 0, -1, 'WITHSCORES')).join(' '));
      else if (type === 'set') contents.push(key, (await redis.smembers(key)).join(' '));
      else if (type === 'list') contents.push(key, (await redis.lrange(key, 0, -1)).join(' '));
      else contents.push(key);
    }
    const text = contents.join('\n');
    expect(secrets.filter((secret) => text.includes(secret.value)).map((secret) => secret.label)).toEqual([]);
  });
});
