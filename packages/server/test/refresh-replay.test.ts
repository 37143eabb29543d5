import { randomBytes, randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, bearer, refreshCookieOf, registerUser, startApp, type TestApp, type TestUser } from './helpers/harness.js';

/**
 * Refresh tokens: a token replayed generations after it was exchanged ends every session of its
 * user; two refreshes racing with one token make exactly one new session. The immediately previous
 * token presented again within the reuse grace (a client retrying after a lost response) gets
 * the same successor and ends nothing.
 */

const SECOND = 1_000;
/** `REFRESH_REUSE_GRACE_SECONDS` by default. */
const GRACE_MS = 5 * SECOND;

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
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await startApp({ clock });
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
      // Past the reuse grace, A presented again is a replay, not a retry.
      clock.advance(GRACE_MS + SECOND);
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

describe(`a retried refresh within the reuse grace (${backend})`, () => {
  let t: TestApp;
  let off: TestApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    [t, off] = await Promise.all([startApp({ clock }), startApp({ clock, env: { REFRESH_REUSE_GRACE_SECONDS: '0' } })]);
  });

  afterAll(async () => {
    await Promise.all([t?.close(), off?.close()]);
  });

  it('returns the same successor to the previous token presented again within the grace, and ends nothing', async () => {
    const user = await registerUser(t.app);
    const other = await loginSession(t.app, user);
    // The first answer is lost on its way to the client…
    const b = await rotate(t.app, user.refreshToken);
    clock.advance(GRACE_MS - SECOND);
    // …which retries with the token it still holds, by cookie and then through the body.
    const byCookie = await refreshWithCookie(t.app, user.refreshToken);
    expect(byCookie.statusCode, byCookie.body).toBe(200);
    expect(refreshCookieOf(byCookie)).toBe(b.refreshToken);
    const byBody = await refreshWithBody(t.app, user.refreshToken);
    expect(byBody.statusCode, byBody.body).toBe(200);
    expect(byBody.json<{ refreshToken?: string }>().refreshToken).toBe(b.refreshToken);
    expect(refreshCookieOf(byBody)).toBe(b.refreshToken);

    // Every session is alive: the access tokens of both answers, and the other device's.
    for (const access of [b.accessToken, byCookie.json<{ accessToken: string }>().accessToken, byBody.json<{ accessToken: string }>().accessToken, other.accessToken]) {
      expect((await me(t.app, access)).statusCode).toBe(200);
    }
    expect(await liveRefreshTokens(t, user.id)).toBe(2);
    // The client carries on with the successor it was given.
    const c = await rotate(t.app, b.refreshToken);
    expect((await me(t.app, c.accessToken)).statusCode).toBe(200);
    expect((await me(t.app, other.accessToken)).statusCode).toBe(200);
    expect(await liveRefreshTokens(t, user.id)).toBe(2);
  });

  it('ends every session when the previous token comes back after the grace', async () => {
    const user = await registerUser(t.app);
    const other = await loginSession(t.app, user);
    const b = await rotate(t.app, user.refreshToken);
    clock.advance(GRACE_MS + SECOND);
    expectInvalidToken(await refreshWithCookie(t.app, user.refreshToken));
    expect(await liveRefreshTokens(t, user.id)).toBe(0);
    expect((await me(t.app, b.accessToken)).statusCode).toBe(401);
    expect((await me(t.app, other.accessToken)).statusCode).toBe(401);
    expectInvalidToken(await refreshWithCookie(t.app, b.refreshToken));
    expectInvalidToken(await refreshWithBody(t.app, other.refreshToken));
  });

  it('ends every session when a token two generations old comes back within the grace', async () => {
    const user = await registerUser(t.app);
    const other = await loginSession(t.app, user);
    const b = await rotate(t.app, user.refreshToken);
    // The client moved on: B was exchanged for C, so A is no longer the immediately previous token.
    const c = await rotate(t.app, b.refreshToken);
    clock.advance(SECOND);
    expectInvalidToken(await refreshWithBody(t.app, user.refreshToken));
    expect(await liveRefreshTokens(t, user.id)).toBe(0);
    for (const access of [b.accessToken, c.accessToken, other.accessToken]) expect((await me(t.app, access)).statusCode).toBe(401);
    expectInvalidToken(await refreshWithCookie(t.app, c.refreshToken));
    expectInvalidToken(await refreshWithCookie(t.app, other.refreshToken));
  });

  it('answers 401 with no successor to the previous token of a logged-out session, within the grace', async () => {
    const user = await registerUser(t.app);
    const b = await rotate(t.app, user.refreshToken);
    const logout = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(b.accessToken) });
    expect(logout.statusCode).toBe(204);
    clock.advance(SECOND);
    const retry = await refreshWithBody(t.app, user.refreshToken);
    expectInvalidToken(retry);
    expect(retry.body).not.toContain(b.refreshToken);
    expectInvalidToken(await refreshWithCookie(t.app, b.refreshToken));
    expect((await me(t.app, b.accessToken)).statusCode).toBe(401);
  });

  it('treats every retry as a replay when REFRESH_REUSE_GRACE_SECONDS is 0', async () => {
    const user = await registerUser(off.app);
    const b = await rotate(off.app, user.refreshToken);
    expectInvalidToken(await refreshWithCookie(off.app, user.refreshToken));
    expect(await liveRefreshTokens(off, user.id)).toBe(0);
    expect((await me(off.app, b.accessToken)).statusCode).toBe(401);
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

describe.runIf(backend === 'real')('a retried refresh across two instances (postgres+redis)', () => {
  let one: TestApp;
  let two: TestApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    // Instances of one deployment share JWT_SECRET: access tokens and successors are keyed by it.
    const env = { JWT_SECRET: randomBytes(32).toString('hex') };
    one = await startApp({ redisPrefix, clock, env });
    two = await startApp({ redisPrefix, clock, env });
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('returns the same successor to a retry on the other instance within the grace, and ends nothing', async () => {
    const user = await registerUser(one.app);
    const b = await rotate(one.app, user.refreshToken);
    clock.advance(SECOND);
    const retry = await refreshWithCookie(two.app, user.refreshToken);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(refreshCookieOf(retry)).toBe(b.refreshToken);
    for (const app of [one.app, two.app]) {
      expect((await me(app, b.accessToken)).statusCode).toBe(200);
      expect((await me(app, retry.json<{ accessToken: string }>().accessToken)).statusCode).toBe(200);
    }
    expect(await liveRefreshTokens(one, user.id)).toBe(1);
    const c = await rotate(two.app, b.refreshToken);
    expect((await me(one.app, c.accessToken)).statusCode).toBe(200);
  });

  it('gives concurrent refreshes with one token on two instances the same successor, both 200', async () => {
    const user = await registerUser(one.app);
    const responses = await Promise.all([refreshWithCookie(one.app, user.refreshToken), refreshWithCookie(two.app, user.refreshToken)]);
    // Whichever commits second finds the token retired a moment ago: a retry, not a replay.
    for (const response of responses) expect(response.statusCode, response.body).toBe(200);
    expect(new Set(responses.map((response) => refreshCookieOf(response))).size).toBe(1);
    expect(await liveRefreshTokens(one, user.id)).toBe(1);
    for (const response of responses) expect((await me(two.app, response.json<{ accessToken: string }>().accessToken)).statusCode).toBe(200);
  });

  it('ends every session on both instances when the previous token comes back on the other instance after the grace', async () => {
    const user = await registerUser(one.app);
    const b = await rotate(one.app, user.refreshToken);
    clock.advance(GRACE_MS + SECOND);
    expectInvalidToken(await refreshWithCookie(two.app, user.refreshToken));
    expect(await liveRefreshTokens(one, user.id)).toBe(0);
    expect((await me(one.app, b.accessToken)).statusCode).toBe(401);
    expect((await me(two.app, b.accessToken)).statusCode).toBe(401);
  });

  it('ends every session on both instances when a token two generations old comes back within the grace', async () => {
    const user = await registerUser(one.app);
    const b = await rotate(one.app, user.refreshToken);
    const c = await rotate(two.app, b.refreshToken);
    expectInvalidToken(await refreshWithCookie(one.app, user.refreshToken));
    expect(await liveRefreshTokens(two, user.id)).toBe(0);
    expect((await me(two.app, c.accessToken)).statusCode).toBe(401);
    expectInvalidToken(await refreshWithCookie(two.app, c.refreshToken));
  });
});
