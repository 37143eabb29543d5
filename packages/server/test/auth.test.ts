import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, refreshCookieOf, registerUser, startApp, type TestApp, type TestUser } from './helpers/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSWORD = 'correct horse battery';

const uniqueEmail = (): string => `user-${randomUUID()}@example.com`;

/** An email of exactly `length` characters that is otherwise well formed (labels ≤ 63). */
function emailOfLength(length: number): string {
  const local = `${randomUUID().replaceAll('-', '')}${'a'.repeat(32)}`; // 64 characters
  const fixed = `${local}@${'b'.repeat(63)}.${'c'.repeat(63)}.`;
  const rest = length - fixed.length - '.com'.length;
  if (rest < 1 || rest > 63) throw new Error(`cannot build an email of ${length} characters`);
  return `${fixed}${'d'.repeat(rest)}.com`;
}

/** Each test speaks from its own address so the per-address limits of one test never touch another. */
let addressCounter = 0;
const freshAddress = (): string => {
  addressCounter += 1;
  return `10.${Math.floor(addressCounter / 65_536) % 256}.${Math.floor(addressCounter / 256) % 256}.${addressCounter % 256}`;
};

/** The access token's `sub`: the user's UUID as 22 base64url characters (see src/auth/access-tokens.ts). */
const subjectOf = (userId: string): string => Buffer.from(userId.replaceAll('-', ''), 'hex').toString('base64url');

const secretKey = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** Signs a token the way the service does, with every part overridable. */
function forge(
  secret: string,
  userId: string,
  options: { alg?: string; iat?: number; exp?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject(subjectOf(userId))
    .setJti(randomBytes(12).toString('base64url'))
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(secretKey(secret));
}

/** Claims as raw JSON text; `NOW+n` is the current second plus n. */
interface RawClaims {
  jti: string;
  iat: string;
  exp: string;
}

function rawClaims(userId: string, overrides: Partial<RawClaims>): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: RawClaims = { jti: `"${randomBytes(12).toString('base64url')}"`, iat: 'NOW+0', exp: 'NOW+600', ...overrides };
  const at = (text: string): string => text.replace(/^NOW\+(.+)$/, (_m, n: string) => String(now + Number(n)));
  return `{"sub":"${subjectOf(userId)}","jti":${claims.jti},"iat":${at(claims.iat)},"exp":${at(claims.exp)}}`;
}

/** An HS256 JWT over exactly this payload text, signed with the service's secret. */
function signRaw(secret: string, payload: string): string {
  const signingInput = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
}

function expectError(response: LightMyRequestResponse, status: number, code: string): ErrorBody {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json<ErrorBody>();
  expect(body).toMatchObject({ error: code, message: expect.any(String), requestId: expect.any(String) });
  return body;
}

function withoutRequestId(body: ErrorBody): Omit<ErrorBody, 'requestId'> {
  const { requestId: _requestId, ...rest } = body;
  return rest;
}

function expectRetryAfter(response: LightMyRequestResponse): void {
  const header = response.headers['retry-after'];
  expect(typeof header).toBe('string');
  expect(String(header)).toMatch(/^\d+$/);
  expect(Number(header)).toBeGreaterThan(0);
}

describe(`auth (${backend})`, () => {
  let t: TestApp;
  /** Low limits: 3 failed logins per account, 3 register/login requests per address. */
  let limited: TestApp;
  /** Time only moves when a test says so. */
  let timed: TestApp;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock();
    [t, limited, timed] = await Promise.all([
      startApp(),
      startApp({ env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '3', IP_RATE_LIMIT_AUTH: '3' } }),
      startApp({ clock }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), limited?.close(), timed?.close()]);
  });

  const register = (payload: unknown, app: TestApp = t, remoteAddress?: string): Promise<LightMyRequestResponse> =>
    app.app.inject({ method: 'POST', url: '/v1/auth/register', payload: payload as Record<string, unknown>, ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
  const login = (email: string, password: string, app: TestApp = t, remoteAddress?: string): Promise<LightMyRequestResponse> =>
    app.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
  const me = (token: string, app: TestApp = t): Promise<LightMyRequestResponse> =>
    app.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
  const refreshWithCookie = (refreshToken: string, app: TestApp = t): Promise<LightMyRequestResponse> =>
    app.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refreshToken } });
  const refreshWithBody = (refreshToken: string, app: TestApp = t): Promise<LightMyRequestResponse> =>
    app.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

  /** A user of the low-limit app, registered from an address of its own. */
  async function registerLimited(): Promise<{ email: string; password: string }> {
    const email = uniqueEmail();
    const response = await register({ email, password: PASSWORD }, limited, freshAddress());
    expect(response.statusCode, response.body).toBe(201);
    return { email, password: PASSWORD };
  }

  /** A second session of the same user, as a login from another device. */
  async function loginSession(user: TestUser, app: TestApp = t): Promise<{ accessToken: string; refreshToken: string }> {
    const response = await login(user.email, user.password, app);
    expect(response.statusCode, response.body).toBe(200);
    const refreshToken = refreshCookieOf(response);
    expect(refreshToken).toEqual(expect.any(String));
    return { accessToken: response.json<{ accessToken: string }>().accessToken, refreshToken: refreshToken ?? '' };
  }

  describe('register', () => {
    it('creates an account and answers 201 with the user and an access token', async () => {
      const email = uniqueEmail();
      const response = await register({ email, password: PASSWORD });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json<{ user: { id: string; email: string; createdAt: string }; accessToken: string }>();
      expect(body).toMatchObject({
        user: { id: expect.stringMatching(UUID), email, createdAt: expect.any(String) },
        accessToken: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(body.user.createdAt))).toBe(false);
      // The response never carries the password or its hash.
      expect(response.body).not.toContain(PASSWORD);
      expect(response.body).not.toMatch(/argon2|scrypt|password/i);
      // The access token is usable straight away.
      expect((await me(body.accessToken)).statusCode).toBe(200);
    });

    it('sets the refresh token in an HttpOnly, SameSite=Strict cookie scoped to /v1/auth, not Secure outside production', async () => {
      const response = await register({ email: uniqueEmail(), password: PASSWORD });
      expect(response.statusCode).toBe(201);
      const cookie = response.cookies.find((c) => c.name === 'refreshToken');
      expect(cookie).toBeDefined();
      expect(cookie?.value).toMatch(/^\S{20,}$/);
      expect(cookie).toMatchObject({ httpOnly: true, path: '/v1/auth' });
      expect(String(cookie?.sameSite).toLowerCase()).toBe('strict');
      expect(cookie?.secure).not.toBe(true);
      const raw = String(response.headers['set-cookie']);
      expect(raw).toMatch(/;\s*HttpOnly/i);
      expect(raw).toMatch(/;\s*SameSite=Strict/i);
      expect(raw).toMatch(/;\s*Path=\/v1\/auth(;|$)/);
      expect(raw).not.toMatch(/;\s*Secure/i);
      // The refresh token is a cookie, never part of the JSON body.
      expect(response.body).not.toContain(cookie?.value ?? '');
    });

    const invalid: Array<[string, () => unknown]> = [
      ['a malformed email', () => ({ email: 'not-an-email', password: PASSWORD })],
      ['an email without a domain', () => ({ email: 'someone@', password: PASSWORD })],
      ['an email longer than 255 characters', () => ({ email: emailOfLength(256), password: PASSWORD })],
      ['a password shorter than 8 characters', () => ({ email: uniqueEmail(), password: 'x'.repeat(7) })],
      ['a password longer than 128 characters', () => ({ email: uniqueEmail(), password: 'x'.repeat(129) })],
      ['a missing email', () => ({ password: PASSWORD })],
      ['a missing password', () => ({ email: uniqueEmail() })],
      ['an empty body', () => ({})],
      ['an email that is not a string', () => ({ email: 42, password: PASSWORD })],
      ['an unknown extra field', () => ({ email: uniqueEmail(), password: PASSWORD, role: 'admin' })],
    ];
    it.each(invalid)('refuses %s with 400 validation_error and no session', async (_case, payload) => {
      const response = await register(payload());
      expectError(response, 400, 'validation_error');
      expect(refreshCookieOf(response)).toBeUndefined();
    });

    it('accepts the boundaries: a 255-character email and passwords of 8 and 128 characters', async () => {
      const longEmail = emailOfLength(255);
      expect(longEmail).toHaveLength(255);
      expect((await register({ email: longEmail, password: PASSWORD })).statusCode).toBe(201);
      expect((await register({ email: uniqueEmail(), password: 'x'.repeat(8) })).statusCode).toBe(201);
      const email = uniqueEmail();
      const longPassword = 'y'.repeat(128);
      expect((await register({ email, password: longPassword })).statusCode).toBe(201);
      expect((await login(email, longPassword)).statusCode).toBe(200);
    });

    it('answers an email already registered with a 400 that does not reveal the account exists', async () => {
      const user = await registerUser(t.app);
      const again = await register({ email: user.email, password: 'another password' });
      const body = expectError(again, 400, 'validation_error');
      expect(body.message).not.toMatch(/exist|taken|already|registered|in use|duplicate|conflict|unique/i);
      expect(body.message).not.toContain(user.email);
      expect(Object.keys(body).sort()).toEqual(['error', 'message', 'requestId']);
      expect(refreshCookieOf(again)).toBeUndefined();
      expect(again.body).not.toContain('accessToken');

      // The same email in other letter case is the same account, and gets the very same answer.
      const upper = await register({ email: user.email.toUpperCase(), password: PASSWORD });
      expect(withoutRequestId(expectError(upper, 400, 'validation_error'))).toEqual(withoutRequestId(body));

      // The answer does not depend on which account is taken.
      const other = await registerUser(t.app);
      const otherAgain = await register({ email: other.email, password: PASSWORD });
      expect(withoutRequestId(expectError(otherAgain, 400, 'validation_error'))).toEqual(withoutRequestId(body));

      // The original account is untouched: its password still works, the attempted one does not.
      expect((await login(user.email, user.password)).statusCode).toBe(200);
      expect((await login(user.email, 'another password')).statusCode).toBe(401);
    });
  });

  describe('login', () => {
    it('answers 200 with the user, an access token and a refresh cookie', async () => {
      const user = await registerUser(t.app);
      const response = await login(user.email, user.password);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json<{ user: { id: string }; accessToken: string }>();
      expect(body).toMatchObject({ user: { id: user.id, email: user.email, createdAt: expect.any(String) }, accessToken: expect.any(String) });
      const cookie = response.cookies.find((c) => c.name === 'refreshToken');
      expect(cookie).toMatchObject({ httpOnly: true, path: '/v1/auth' });
      expect(String(cookie?.sameSite).toLowerCase()).toBe('strict');
      expect(cookie?.value).not.toBe(user.refreshToken);
      expect((await me(body.accessToken)).json()).toMatchObject({ id: user.id });
    });

    it('gives a wrong password and an unknown email the same 401', async () => {
      const user = await registerUser(t.app);
      const wrongPassword = await login(user.email, 'not the password');
      const unknownEmail = await login(uniqueEmail(), 'not the password');
      const a = expectError(wrongPassword, 401, wrongPassword.json<ErrorBody>().error);
      const b = expectError(unknownEmail, 401, unknownEmail.json<ErrorBody>().error);
      expect(withoutRequestId(a)).toEqual(withoutRequestId(b));
      expect(refreshCookieOf(wrongPassword)).toBeUndefined();
      expect(refreshCookieOf(unknownEmail)).toBeUndefined();
    });

    it('treats the email case-insensitively', async () => {
      const tag = randomUUID();
      const registered = await register({ email: `Mixed.Case-${tag}@Example.COM`, password: PASSWORD });
      expect(registered.statusCode).toBe(201);
      const id = registered.json<{ user: { id: string } }>().user.id;
      for (const variant of [`mixed.case-${tag}@example.com`, `MIXED.CASE-${tag.toUpperCase()}@EXAMPLE.COM`]) {
        const response = await login(variant, PASSWORD);
        expect(response.statusCode, variant).toBe(200);
        expect(response.json()).toMatchObject({ user: { id } });
      }
    });

    it('issues access tokens that fit the 200-character Authorization cap', async () => {
      const user = await registerUser(t.app);
      const session = await loginSession(user);
      const refreshed = await refreshWithCookie(session.refreshToken);
      expect(refreshed.statusCode).toBe(200);
      const tokens = [user.accessToken, session.accessToken, refreshed.json<{ accessToken: string }>().accessToken];
      for (const token of tokens) {
        expect(`Bearer ${token}`.length).toBeLessThan(200);
        expect((await me(token)).statusCode).toBe(200);
      }
    });
  });

  describe('per-account login throttle (3 failures)', () => {
    it('refuses the 4th attempt with 429 and Retry-After, even with the right password and from new addresses', async () => {
      const user = await registerLimited();
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const failed = await login(user.email, `wrong password ${attempt}`, limited, freshAddress());
        expect(failed.statusCode, `attempt ${attempt}`).toBe(401);
      }
      const locked = await login(user.email, user.password, limited, freshAddress());
      expectError(locked, 429, locked.json<ErrorBody>().error);
      expectRetryAfter(locked);
      expect(refreshCookieOf(locked)).toBeUndefined();
      // Other letter case is the same account.
      const upper = await login(user.email.toUpperCase(), user.password, limited, freshAddress());
      expect(upper.statusCode).toBe(429);
    });

    it('leaves other accounts alone', async () => {
      const victim = await registerLimited();
      const bystander = await registerLimited();
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        await login(victim.email, 'wrong password', limited, freshAddress());
      }
      expect((await login(victim.email, victim.password, limited, freshAddress())).statusCode).toBe(429);
      expect((await login(bystander.email, bystander.password, limited, freshAddress())).statusCode).toBe(200);
      expect((await login(bystander.email, 'wrong password', limited, freshAddress())).statusCode).toBe(401);
    });
  });

  describe('per-address limit on register and login (3 requests)', () => {
    it('refuses the 4th register from one address with 429 and Retry-After', async () => {
      const address = freshAddress();
      for (let i = 1; i <= 3; i += 1) {
        const response = await register({ email: uniqueEmail(), password: PASSWORD }, limited, address);
        expect(response.statusCode, `request ${i}`).toBe(201);
      }
      const refused = await register({ email: uniqueEmail(), password: PASSWORD }, limited, address);
      expectError(refused, 429, refused.json<ErrorBody>().error);
      expectRetryAfter(refused);
      expect(refreshCookieOf(refused)).toBeUndefined();
      // Another address is not affected.
      expect((await register({ email: uniqueEmail(), password: PASSWORD }, limited, freshAddress())).statusCode).toBe(201);
    });

    it('refuses the 4th login from one address with 429 and Retry-After, even with the right password', async () => {
      const user = await registerLimited();
      const address = freshAddress();
      for (let i = 1; i <= 3; i += 1) {
        const response = await login(user.email, user.password, limited, address);
        expect(response.statusCode, `request ${i}`).toBe(200);
      }
      const refused = await login(user.email, user.password, limited, address);
      expectError(refused, 429, refused.json<ErrorBody>().error);
      expectRetryAfter(refused);
      expect((await login(user.email, user.password, limited, freshAddress())).statusCode).toBe(200);
    });
  });

  describe('refresh', () => {
    it('exchanges the refresh cookie for a new access token and a new refresh cookie', async () => {
      const user = await registerUser(t.app);
      const response = await refreshWithCookie(user.refreshToken);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json<{ accessToken: string }>();
      expect(body).toMatchObject({ accessToken: expect.any(String) });
      expect(body.accessToken).not.toBe(user.accessToken);
      const cookie = response.cookies.find((c) => c.name === 'refreshToken');
      expect(cookie).toMatchObject({ httpOnly: true, path: '/v1/auth' });
      expect(String(cookie?.sameSite).toLowerCase()).toBe('strict');
      expect(cookie?.value).toEqual(expect.any(String));
      expect(cookie?.value).not.toBe(user.refreshToken);
      expect((await me(body.accessToken)).json()).toMatchObject({ id: user.id, email: user.email });
      // The new refresh token carries the session on.
      expect((await refreshWithCookie(cookie?.value ?? '')).statusCode).toBe(200);
    });

    it('accepts the refresh token in the body for clients without cookies', async () => {
      const user = await registerUser(t.app);
      const response = await refreshWithBody(user.refreshToken);
      expect(response.statusCode, response.body).toBe(200);
      const next = refreshCookieOf(response);
      expect(next).toEqual(expect.any(String));
      expect(next).not.toBe(user.refreshToken);
      expect((await me(response.json<{ accessToken: string }>().accessToken)).statusCode).toBe(200);
      expect((await refreshWithBody(next ?? '')).statusCode).toBe(200);
    });

    // Within REFRESH_REUSE_GRACE_SECONDS (5 s) of its exchange, the previous token presented again
    // is a retry and gets the same successor (refresh-replay.test.ts); these two present it later.
    it('refuses a refresh token once it has been exchanged (past the reuse grace)', async () => {
      const user = await registerUser(timed.app);
      expect((await refreshWithCookie(user.refreshToken, timed)).statusCode).toBe(200);
      clock.advance(6_000);
      const reused = await refreshWithCookie(user.refreshToken, timed);
      expect(reused.statusCode).toBe(401);
      expect(refreshCookieOf(reused) ?? '').toBe('');
      expect((await refreshWithBody(user.refreshToken, timed)).statusCode).toBe(401);
    });

    it('ends every session of the user when an already-rotated refresh token comes back (theft detection)', async () => {
      const user = await registerUser(timed.app);
      const otherDevice = await loginSession(user, timed);
      const rotated = await refreshWithCookie(user.refreshToken, timed);
      expect(rotated.statusCode).toBe(200);
      const newest = refreshCookieOf(rotated) ?? '';
      const currentAccess = rotated.json<{ accessToken: string }>().accessToken;
      expect((await me(currentAccess, timed)).statusCode).toBe(200);

      // Someone replays the token that was already exchanged, past the reuse grace.
      clock.advance(6_000);
      const replay = await refreshWithBody(user.refreshToken, timed);
      expectError(replay, 401, replay.json<ErrorBody>().error);

      expect((await refreshWithCookie(newest, timed)).statusCode).toBe(401);
      expect((await me(currentAccess, timed)).statusCode).toBe(401);
      expect((await me(user.accessToken, timed)).statusCode).toBe(401);
      expect((await me(otherDevice.accessToken, timed)).statusCode).toBe(401);
      expect((await refreshWithCookie(otherDevice.refreshToken, timed)).statusCode).toBe(401);
      // The account itself still works: the owner logs in again.
      const fresh = await loginSession(user, timed);
      expect((await me(fresh.accessToken, timed)).statusCode).toBe(200);
    });

    it('uses the token in the body when the refreshToken cookie is empty (an empty cookie is no cookie)', async () => {
      const user = await registerUser(t.app);
      const response = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refreshToken: '' }, payload: { refreshToken: user.refreshToken } });
      expect(response.statusCode, response.body).toBe(200);
      // The token came in the body: the next one comes back in the body (and the cookie).
      const next = response.json<{ refreshToken?: string }>().refreshToken;
      expect(next).toEqual(expect.any(String));
      expect(refreshCookieOf(response)).toBe(next);
      expect((await me(response.json<{ accessToken: string }>().accessToken)).statusCode).toBe(200);
      expect((await refreshWithBody(next ?? '')).statusCode).toBe(200);
    });

    const missing: Array<[string, () => Promise<LightMyRequestResponse>]> = [
      ['no token at all', () => t.app.inject({ method: 'POST', url: '/v1/auth/refresh' })],
      ['an empty body', () => t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: {} })],
      ['a garbage cookie', () => refreshWithCookie('garbage')],
      ['a garbage body token', () => refreshWithBody('garbage')],
      ['a well-formed but unknown token', () => refreshWithCookie(randomBytes(32).toString('base64url').replace(/[-_]/g, 'A').slice(0, 43))],
      ['an access token in place of the refresh token', async () => refreshWithBody((await registerUser(t.app)).accessToken)],
    ];
    it.each(missing)('refuses %s with 401', async (_case, send) => {
      const response = await send();
      expectError(response, 401, response.json<ErrorBody>().error);
      expect(refreshCookieOf(response) ?? '').toBe('');
    });

    it('gives two concurrent refreshes with one token at most one new session', async () => {
      const user = await registerUser(t.app);
      const responses = await Promise.all([refreshWithCookie(user.refreshToken), refreshWithCookie(user.refreshToken)]);
      const succeeded = responses.filter((r) => r.statusCode === 200);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      for (const r of responses) expect([200, 401]).toContain(r.statusCode);
      const refreshTokens = new Set(succeeded.map((r) => refreshCookieOf(r)));
      const accessTokens = new Set(succeeded.map((r) => r.json<{ accessToken: string }>().accessToken));
      expect(refreshTokens.size).toBe(1);
      expect(accessTokens.size).toBe(1);
      const [next] = [...refreshTokens];
      expect(next).toEqual(expect.any(String));
      expect(next).not.toBe(user.refreshToken);
    });
  });

  describe('logout', () => {
    it('answers 204 and ends this session only: its access and refresh tokens die, another session keeps working', async () => {
      const user = await registerUser(t.app);
      const otherDevice = await loginSession(user);
      const response = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(user.accessToken) });
      expect(response.statusCode, response.body).toBe(204);
      expect(response.body).toBe('');

      expectError(await me(user.accessToken), 401, 'unauthorized');
      expect((await refreshWithCookie(user.refreshToken)).statusCode).toBe(401);

      expect((await me(otherDevice.accessToken)).statusCode).toBe(200);
      const refreshed = await refreshWithCookie(otherDevice.refreshToken);
      expect(refreshed.statusCode).toBe(200);
      expect((await me(refreshed.json<{ accessToken: string }>().accessToken)).statusCode).toBe(200);
    });

    it('ends the session of a refreshed access token too', async () => {
      const user = await registerUser(t.app);
      const refreshed = await refreshWithCookie(user.refreshToken);
      const access = refreshed.json<{ accessToken: string }>().accessToken;
      const refresh = refreshCookieOf(refreshed) ?? '';
      const response = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(access), cookies: { refreshToken: refresh } });
      expect(response.statusCode).toBe(204);
      expect((await me(access)).statusCode).toBe(401);
      expect((await refreshWithCookie(refresh)).statusCode).toBe(401);
    });

    it('requires an access token', async () => {
      expectError(await t.app.inject({ method: 'POST', url: '/v1/auth/logout' }), 401, 'unauthorized');
      expectError(await t.app.inject({ method: 'POST', url: '/v1/auth/logout-all' }), 401, 'unauthorized');
    });

    it('logout-all answers 204 and ends every session of the user; a fresh login afterwards works', async () => {
      const user = await registerUser(t.app);
      const second = await loginSession(user);
      const rotated = await refreshWithCookie(second.refreshToken);
      expect(rotated.statusCode).toBe(200);
      const third = { accessToken: rotated.json<{ accessToken: string }>().accessToken, refreshToken: refreshCookieOf(rotated) ?? '' };
      const bystander = await registerUser(t.app);

      const response = await t.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(user.accessToken) });
      expect(response.statusCode, response.body).toBe(204);

      for (const token of [user.accessToken, second.accessToken, third.accessToken]) {
        expectError(await me(token), 401, 'unauthorized');
      }
      for (const token of [user.refreshToken, third.refreshToken]) {
        expect((await refreshWithCookie(token)).statusCode).toBe(401);
      }

      const fresh = await loginSession(user);
      expect((await me(fresh.accessToken)).statusCode).toBe(200);
      expect((await refreshWithCookie(fresh.refreshToken)).statusCode).toBe(200);
      // Other users are not touched.
      expect((await me(bystander.accessToken)).statusCode).toBe(200);
    });
  });

  describe('GET /auth/me', () => {
    it('answers 200 with the current user', async () => {
      const user = await registerUser(t.app);
      const response = await me(user.accessToken);
      expect(response.statusCode).toBe(200);
      const body = response.json<{ createdAt: string }>();
      expect(body).toMatchObject({ id: user.id, email: user.email, createdAt: expect.any(String) });
      expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
      expect(response.body).not.toMatch(/password|hash/i);
    });

    it('accepts a token signed exactly as the service signs them (so the refusals below are about the one change each makes)', async () => {
      const user = await registerUser(t.app);
      const token = await forge(t.config.jwtSecret ?? '', user.id);
      const response = await me(token);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ id: user.id });
    });

    const refused: Array<[string, (user: TestUser, secret: string) => Promise<Record<string, string>>]> = [
      ['no Authorization header', async () => ({})],
      ['the Basic scheme', async (user) => ({ authorization: `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}` })],
      ['a token without the Bearer scheme', async (user) => ({ authorization: user.accessToken })],
      ['an empty Bearer token', async () => ({ authorization: 'Bearer ' })],
      ['a token that is not a JWT', async () => bearer('not-a-jwt')],
      [
        'an unsigned token (alg: none)',
        async (user) => bearer(new UnsecuredJWT({}).setSubject(subjectOf(user.id)).setJti('abcdefghijklmnop').setIssuedAt().setExpirationTime('10m').encode()),
      ],
      [
        'alg: none with the payload of a real token',
        async (user) => {
          const [, payload] = user.accessToken.split('.');
          return bearer(`${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`);
        },
      ],
      ['a token signed HS512 with the right secret', async (user, secret) => bearer(await forge(secret, user.id, { alg: 'HS512' }))],
      ['a token signed HS384 with the right secret', async (user, secret) => bearer(await forge(secret, user.id, { alg: 'HS384' }))],
      ['a token signed HS256 with a wrong secret', async (user) => bearer(await forge(randomBytes(32).toString('hex'), user.id))],
      [
        'a real token whose subject was changed to another user',
        async (user) => {
          const other = await registerUser(t.app);
          const [header, payload, signature] = user.accessToken.split('.');
          const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
          expect(claims.sub).toBe(subjectOf(user.id));
          const tampered = Buffer.from(JSON.stringify({ ...claims, sub: subjectOf(other.id) })).toString('base64url');
          return bearer(`${header}.${tampered}.${signature}`);
        },
      ],
      [
        'a real token with its signature removed',
        async (user) => bearer(`${user.accessToken.split('.').slice(0, 2).join('.')}.`),
      ],
      [
        'a token that expired a minute ago',
        async (user, secret) => {
          const now = Math.floor(Date.now() / 1000);
          return bearer(await forge(secret, user.id, { iat: now - 16 * 60, exp: now - 60 }));
        },
      ],
      [
        'a token for a user that does not exist',
        async (_user, secret) => bearer(await forge(secret, randomUUID())),
      ],
    ];
    it.each(refused)('refuses %s with 401 unauthorized', async (_case, headersOf) => {
      const user = await registerUser(t.app);
      const headers = await headersOf(user, t.config.jwtSecret ?? '');
      const response = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers });
      expectError(response, 401, 'unauthorized');
      expect(response.body).not.toContain(user.email);
    });

    /**
     * Correctly signed, with one claim no token of ours carries, written as an attacker writes
     * JSON (`1e20`, not its 21 digits), so that the token stays under the header cap and reaches
     * the verification.
     */
    const hostileClaims: Array<[string, Partial<RawClaims>]> = [
      ['exp: 1e20', { exp: '1e20' }],
      ['exp: 1e15 (a safe integer, but beyond any date)', { exp: '1e15' }],
      ['an exp later than the token lifetime allows', { exp: 'NOW+86400' }],
      ['a fractional exp', { exp: 'NOW+600.5' }],
      ['an iat an hour in the future', { iat: 'NOW+3600', exp: 'NOW+3900' }],
      ['iat: 1e20', { iat: '1e20' }],
      ['a NUL in jti', { jti: '"abcdefgh\\u0000ijklmn"' }],
      ['a lone surrogate in jti', { jti: '"abcdefgh\\ud800ijklmn"' }],
      ['an empty jti', { jti: '""' }],
      ['a jti with spaces and quotes', { jti: '"a \\"b\\" c"' }],
      ['a jti that is a number', { jti: '1234567890123456' }],
    ];
    it('accepts a token signed by hand with the claims the service writes (so the refusals below are about the one change each makes)', async () => {
      const user = await registerUser(t.app);
      const token = signRaw(t.config.jwtSecret ?? '', rawClaims(user.id, {}));
      expect((await me(token)).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(204);
      expectError(await me(token), 401, 'unauthorized');
    });
    it.each(hostileClaims)('refuses a correctly signed token with %s: 401 on /auth/me and on logout, never 500', async (_case, claims) => {
      const user = await registerUser(t.app);
      const token = signRaw(t.config.jwtSecret ?? '', rawClaims(user.id, claims));
      expect(`Bearer ${token}`.length).toBeLessThanOrEqual(200);
      expectError(await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) }), 401, 'unauthorized');
      expectError(await me(token), 401, 'unauthorized');
      // The user's own session was not touched.
      expect((await me(user.accessToken)).statusCode).toBe(200);
    });

    it('accepts an iat up to 60 seconds ahead (clock skew between instances) and refuses one beyond', async () => {
      const user = await registerUser(timed.app);
      const now = Math.floor(clock.now() / 1000);
      const secret = timed.config.jwtSecret ?? '';
      expect((await me(await forge(secret, user.id, { iat: now + 60, exp: now + 60 + 900 }), timed)).statusCode).toBe(200);
      expectError(await me(await forge(secret, user.id, { iat: now + 61, exp: now + 61 + 900 }), timed), 401, 'unauthorized');
    });

    it('refuses an access token once its 15 minutes are over', async () => {
      const user = await registerUser(timed.app);
      expect((await me(user.accessToken, timed)).statusCode).toBe(200);
      clock.advance(14 * 60_000);
      expect((await me(user.accessToken, timed)).statusCode).toBe(200);
      clock.advance(2 * 60_000);
      expectError(await me(user.accessToken, timed), 401, 'unauthorized');
    });
  });
});
