import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, bearer, refreshCookieOf, registerUser, startApp, type TestApp, type TestUser } from './helpers/harness.js';

/**
 * Refresh tokens: a token replayed generations after it was exchanged ends every session of its
 * user; two refreshes racing with one token make exactly one new session.
 */

function refreshWithCookie(app: App, token: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refreshToken: token } });
}

function refreshWithBody(app: App, token: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: token } });
}

function me(app: App, accessToken: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(accessToken) });
}

async function loginSession(app: App, user: TestUser): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: user.password } });
  expect(response.statusCode, response.body).toBe(200);
  return { accessToken: response.json<{ accessToken: string }>().accessToken, refreshToken: refreshCookieOf(response) ?? '' };
}

/** The next generation: 200, a new access token and a new refresh token. */
async function rotate(app: App, token: string): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await refreshWithCookie(app, token);
  expect(response.statusCode, response.body).toBe(200);
  const refreshToken = refreshCookieOf(response) ?? '';
  expect(refreshToken).not.toBe('');
  expect(refreshToken).not.toBe(token);
  return { accessToken: response.json<{ accessToken: string }>().accessToken, refreshToken };
}

function expectInvalidToken(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(401);
  expect(response.json()).toMatchObject({ error: 'invalid_token', requestId: expect.any(String) });
  expect(refreshCookieOf(response) ?? '').toBe('');
}

/** Refresh tokens of the user that are neither rotated nor revoked. */
async function liveRefreshTokens(t: TestApp, userId: string): Promise<number> {
  const rows = await t.deps.db
    .selectFrom('refresh_tokens')
    .select('id')
    .where('user_id', '=', userId)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.length;
}

const RACE_ROUNDS = 60;

describe(`refresh-token replay (${backend})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('ends every session of the user when a token three generations old comes back', async () => {
    const user = await registerUser(t.app);
    const a = { accessToken: user.accessToken, refreshToken: user.refreshToken };
    const b = await rotate(t.app, a.refreshToken);
    const c = await rotate(t.app, b.refreshToken);
    const d = await rotate(t.app, c.refreshToken);
    // A second device with a session of its own.
    const other = await loginSession(t.app, user);
    expect((await me(t.app, d.accessToken)).statusCode).toBe(200);
    expect((await me(t.app, other.accessToken)).statusCode).toBe(200);
    expect(await liveRefreshTokens(t, user.id)).toBe(2);

    expectInvalidToken(await refreshWithCookie(t.app, a.refreshToken));

    expect(await liveRefreshTokens(t, user.id)).toBe(0);
    // The newest generation of the stolen session is dead, and so is its access token.
    expectInvalidToken(await refreshWithCookie(t.app, d.refreshToken));
    expect((await me(t.app, d.accessToken)).statusCode).toBe(401);
    // Every generation before it too.
    for (const generation of [b, c]) {
      expect((await me(t.app, generation.accessToken)).statusCode).toBe(401);
      expectInvalidToken(await refreshWithBody(t.app, generation.refreshToken));
    }
    // The other device's session ended as well.
    expect((await me(t.app, other.accessToken)).statusCode).toBe(401);
    expectInvalidToken(await refreshWithBody(t.app, other.refreshToken));
    expect((await t.app.inject({ method: 'GET', url: '/v1/projects', headers: bearer(other.accessToken) })).statusCode).toBe(401);
    // The owner can still log in again, and that new session works.
    const fresh = await loginSession(t.app, user);
    expect((await me(t.app, fresh.accessToken)).statusCode).toBe(200);
    expect(await liveRefreshTokens(t, user.id)).toBe(1);
  });

  it('ends every session for a replay through the body too, and leaves other users alone', async () => {
    const user = await registerUser(t.app);
    const bystander = await registerUser(t.app);
    const b = await rotate(t.app, user.refreshToken);
    const c = await rotate(t.app, b.refreshToken);
    await rotate(t.app, c.refreshToken);
    expectInvalidToken(await refreshWithBody(t.app, user.refreshToken));
    expect(await liveRefreshTokens(t, user.id)).toBe(0);
    expect((await me(t.app, bystander.accessToken)).statusCode).toBe(200);
    expect(await liveRefreshTokens(t, bystander.id)).toBe(1);
    expect((await refreshWithCookie(t.app, bystander.refreshToken)).statusCode).toBe(200);
  });

  it('gives two concurrent refreshes with one token exactly one new session', async () => {
    const user = await registerUser(t.app);
    const other = await loginSession(t.app, user);
    expect(await liveRefreshTokens(t, user.id)).toBe(2);

    const responses = await Promise.all([refreshWithCookie(t.app, user.refreshToken), refreshWithCookie(t.app, user.refreshToken)]);
    for (const response of responses) expect([200, 401]).toContain(response.statusCode);
    const succeeded = responses.filter((response) => response.statusCode === 200);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    // Every 200 carries the same tokens: one new session, not two.
    const refreshTokens = new Set(succeeded.map((response) => refreshCookieOf(response)));
    const accessTokens = new Set(succeeded.map((response) => response.json<{ accessToken: string }>().accessToken));
    expect(refreshTokens.size).toBe(1);
    expect(accessTokens.size).toBe(1);
    const [next] = [...refreshTokens];
    const [access] = [...accessTokens];
    if (next === undefined || access === undefined) throw new Error('no new session');
    expect(next).not.toBe(user.refreshToken);

    // The old session continues as one new generation; the other device is untouched.
    expect(await liveRefreshTokens(t, user.id)).toBe(2);
    expect((await me(t.app, access)).statusCode).toBe(200);
    expect((await me(t.app, other.accessToken)).statusCode).toBe(200);
    const after = await rotate(t.app, next);
    expect((await me(t.app, after.accessToken)).statusCode).toBe(200);
    expect(await liveRefreshTokens(t, user.id)).toBe(2);
  });

  it('gives concurrent refreshes through the cookie and the body the same one new session', async () => {
    const user = await registerUser(t.app);
    const responses = await Promise.all([
      refreshWithCookie(t.app, user.refreshToken),
      refreshWithBody(t.app, user.refreshToken),
      refreshWithCookie(t.app, user.refreshToken),
      refreshWithBody(t.app, user.refreshToken),
    ]);
    const succeeded = responses.filter((response) => response.statusCode === 200);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    for (const response of responses) expect([200, 401]).toContain(response.statusCode);
    const issued = new Set(
      succeeded.flatMap((response) => [refreshCookieOf(response), response.json<{ refreshToken?: string }>().refreshToken].filter((v) => v !== undefined)),
    );
    expect(issued.size).toBe(1);
    expect(new Set(succeeded.map((response) => response.json<{ accessToken: string }>().accessToken)).size).toBe(1);
    expect(await liveRefreshTokens(t, user.id)).toBe(1);
    const [next] = [...issued];
    expect((await refreshWithCookie(t.app, next ?? '')).statusCode).toBe(200);
  });

  it('ends the session when a replay races a refresh of the current token, whatever the interleaving', async () => {
    // The interleaving of the two requests varies from run to run; enough rounds cover them.
    const survivors: string[] = [];
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const user = await registerUser(t.app);
      const b = await rotate(t.app, user.refreshToken);
      // The holder of a copy of A replays it while the holder of B refreshes.
      const [replay, current] = await Promise.all([refreshWithCookie(t.app, user.refreshToken), refreshWithCookie(t.app, b.refreshToken)]);
      expectInvalidToken(replay);
      expect([200, 401]).toContain(current.statusCode);
      const live = await liveRefreshTokens(t, user.id);
      const next = refreshCookieOf(current) ?? '';
      const refreshed = current.statusCode === 200 ? (await refreshWithCookie(t.app, next)).statusCode : 401;
      if (live !== 0 || refreshed !== 401) survivors.push(`round ${round}: refresh of B ${current.statusCode}, live tokens ${live}, refresh of C ${refreshed}`);
    }
    expect(survivors).toEqual([]);
  });
});

describe.runIf(backend === 'real')('refresh-token races across two instances (postgres+redis)', () => {
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    one = await startApp({ redisPrefix });
    two = await startApp({ redisPrefix });
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('gives two concurrent refreshes with one token, on two instances, exactly one new session', async () => {
    const user = await registerUser(one.app);
    const responses = await Promise.all([refreshWithCookie(one.app, user.refreshToken), refreshWithCookie(two.app, user.refreshToken)]);
    for (const response of responses) expect([200, 401]).toContain(response.statusCode);
    const succeeded = responses.filter((response) => response.statusCode === 200);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    const refreshTokens = new Set(succeeded.map((response) => refreshCookieOf(response)));
    expect(refreshTokens.size).toBe(1);
    expect(await liveRefreshTokens(one, user.id), `statuses ${responses.map((r) => r.statusCode).join(', ')}`).toBe(1);
    const [next] = [...refreshTokens];
    expect((await refreshWithCookie(two.app, next ?? '')).statusCode).toBe(200);
  });

  it('ends every session on both instances when a token three generations old comes back', async () => {
    const user = await registerUser(one.app);
    const b = await rotate(two.app, user.refreshToken);
    const c = await rotate(one.app, b.refreshToken);
    const d = await rotate(two.app, c.refreshToken);
    expectInvalidToken(await refreshWithCookie(one.app, user.refreshToken));
    expect(await liveRefreshTokens(one, user.id)).toBe(0);
    expect((await me(two.app, d.accessToken)).statusCode).toBe(401);
    expect((await me(one.app, d.accessToken)).statusCode).toBe(401);
    expectInvalidToken(await refreshWithCookie(two.app, d.refreshToken));
  });
});
