import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import { backend, startApp, type TestApp } from './helpers/harness.js';

/**
 * Login and register resist guessing: a per-account throttle, a per-address throttle, and no
 * difference — in status, body or time — between an email that has an account and one that
 * has not.
 */

const PASSWORD = 'correct horse battery';
const ATTEMPTS_PER_ACCOUNT = 5;
const AUTH_PER_ADDRESS = 4;

const uniqueEmail = (): string => `guess-${randomUUID()}@example.com`;

let addressCounter = 0;
/** A fresh client address per use, so one test's address budget never touches another's. */
const freshAddress = (): string => {
  addressCounter += 1;
  return `10.77.${Math.floor(addressCounter / 256) % 256}.${addressCounter % 256}`;
};

function login(app: App, email: string, password: string, remoteAddress = freshAddress()): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress });
}

function register(app: App, email: string, password: string, remoteAddress = freshAddress()): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password }, remoteAddress });
}

/** An account, registered from an address of its own (the app's address budget is small). */
async function registerUser(app: App, email: string, password: string): Promise<{ email: string }> {
  const response = await register(app, email, password);
  expect(response.statusCode, response.body).toBe(201);
  return { email };
}

/** Status and body apart from the request id: what tells two answers apart. */
function answer(response: LightMyRequestResponse): { status: number; body: Record<string, unknown> } {
  const { requestId, ...body } = response.json<Record<string, unknown>>();
  expect(requestId).toEqual(expect.any(String));
  return { status: response.statusCode, body };
}

function expectThrottled(response: LightMyRequestResponse, code: string): void {
  expect(response.statusCode, response.body).toBe(429);
  const body = response.json<{ error: string; retryAfter: number; message: string; requestId: string }>();
  expect(body).toMatchObject({ error: code, message: expect.any(String), requestId: expect.any(String) });
  const header = response.headers['retry-after'];
  expect(String(header)).toMatch(/^\d+$/);
  expect(Number(header)).toBeGreaterThan(0);
  expect(body.retryAfter).toBe(Number(header));
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

describe(`guessing passwords and accounts (${backend})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ env: { LOGIN_ATTEMPTS_PER_ACCOUNT: String(ATTEMPTS_PER_ACCOUNT), IP_RATE_LIMIT_AUTH: String(AUTH_PER_ADDRESS) } });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe(`per-account throttle (${ATTEMPTS_PER_ACCOUNT} failures)`, () => {
    it('refuses the next attempt with 429 and Retry-After, the right password included, from any address', async () => {
      const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
      for (let i = 0; i < ATTEMPTS_PER_ACCOUNT; i++) {
        const response = await login(t.app, user.email, `wrong password ${i}`);
        expect(response.statusCode, response.body).toBe(401);
        expect(response.json()).toMatchObject({ error: 'invalid_credentials' });
      }
      expectThrottled(await login(t.app, user.email, PASSWORD), 'too_many_requests');
      expectThrottled(await login(t.app, user.email.toUpperCase(), PASSWORD), 'too_many_requests');
      expectThrottled(await login(t.app, user.email, 'another wrong one'), 'too_many_requests');
      // The refused attempts carried no session.
      const refused = await login(t.app, user.email, PASSWORD);
      expect(refused.cookies.find((c) => c.name === 'refreshToken')).toBeUndefined();
      expect(refused.json()).not.toHaveProperty('accessToken');
    });

    it('lets the right password in below the limit, and leaves other accounts alone', async () => {
      const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
      const neighbour = await registerUser(t.app, uniqueEmail(), PASSWORD);
      for (let i = 0; i < ATTEMPTS_PER_ACCOUNT - 1; i++) expect((await login(t.app, user.email, `wrong password ${i}`)).statusCode).toBe(401);
      expect((await login(t.app, user.email, PASSWORD)).statusCode).toBe(200);
      // A success does not wipe the failures of the window: one more makes the limit.
      expect((await login(t.app, user.email, 'wrong again password')).statusCode).toBe(401);
      expectThrottled(await login(t.app, user.email, PASSWORD), 'too_many_requests');
      expect((await login(t.app, neighbour.email, PASSWORD)).statusCode).toBe(200);
    });

    it('throttles an unknown email exactly as a known one, so the lock reveals nothing', async () => {
      const known = await registerUser(t.app, uniqueEmail(), PASSWORD);
      const unknown = uniqueEmail();
      for (let i = 0; i < ATTEMPTS_PER_ACCOUNT; i++) {
        const a = await login(t.app, known.email, `wrong password ${i}`);
        const b = await login(t.app, unknown, `wrong password ${i}`);
        expect(answer(a)).toEqual(answer(b));
      }
      const a = await login(t.app, known.email, PASSWORD);
      const b = await login(t.app, unknown, PASSWORD);
      expectThrottled(a, 'too_many_requests');
      expectThrottled(b, 'too_many_requests');
      expect(answer(a).body.message).toBe(answer(b).body.message);
    });
  });

  describe(`per-address throttle on register and login (${AUTH_PER_ADDRESS} requests)`, () => {
    it('refuses register from an address past its budget with 429 and Retry-After; another address is unaffected', async () => {
      const address = freshAddress();
      for (let i = 0; i < AUTH_PER_ADDRESS; i++) expect((await register(t.app, uniqueEmail(), PASSWORD, address)).statusCode).toBe(201);
      const refusedEmail = uniqueEmail();
      expectThrottled(await register(t.app, refusedEmail, PASSWORD, address), 'rate_limit_exceeded');
      // Nothing was created for the refused request: the email is still free.
      expect((await register(t.app, refusedEmail, PASSWORD, freshAddress())).statusCode).toBe(201);
    });

    it('refuses login from an address past its budget, even with the right password; another address is unaffected', async () => {
      const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
      const address = freshAddress();
      for (let i = 0; i < AUTH_PER_ADDRESS; i++) {
        // Different accounts, so the per-account throttle is not what answers.
        expect((await login(t.app, uniqueEmail(), PASSWORD, address)).statusCode).toBe(401);
      }
      expectThrottled(await login(t.app, user.email, PASSWORD, address), 'rate_limit_exceeded');
      expect((await login(t.app, user.email, PASSWORD, freshAddress())).statusCode).toBe(200);
    });

    it('counts register and login against one budget', async () => {
      const address = freshAddress();
      const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
      for (let i = 0; i < AUTH_PER_ADDRESS / 2; i++) expect((await register(t.app, uniqueEmail(), PASSWORD, address)).statusCode).toBe(201);
      for (let i = 0; i < AUTH_PER_ADDRESS / 2; i++) expect((await login(t.app, user.email, PASSWORD, address)).statusCode).toBe(200);
      expectThrottled(await login(t.app, user.email, PASSWORD, address), 'rate_limit_exceeded');
      expectThrottled(await register(t.app, uniqueEmail(), PASSWORD, address), 'rate_limit_exceeded');
    });
  });

  describe('a known and an unknown email', () => {
    it('get the same status and body for a wrong login', async () => {
      const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
      const known = await login(t.app, user.email, 'not the password');
      const unknown = await login(t.app, uniqueEmail(), 'not the password');
      expect(known.statusCode).toBe(401);
      expect(answer(known)).toEqual(answer(unknown));
      expect(known.headers['content-type']).toBe(unknown.headers['content-type']);
      expect(known.cookies).toEqual([]);
      expect(unknown.cookies).toEqual([]);
    });

    it('get the same status and body when registered again', async () => {
      const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
      const taken = await register(t.app, user.email, 'another password');
      const takenOtherCase = await register(t.app, user.email.toUpperCase(), PASSWORD);
      expect(taken.statusCode).toBe(400);
      expect(answer(taken)).toEqual(answer(takenOtherCase));
      expect(taken.cookies).toEqual([]);
    });
  });
});

describe(`login time does not tell a known email from an unknown one (${backend})`, () => {
  let t: TestApp;
  const SAMPLES = 30;
  const ATTEMPTS = 3;

  beforeAll(async () => {
    t = await startApp({ env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '1000000' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** One measured round: SAMPLES logins of each kind, alternating, each timed end to end. */
  async function measure(knownEmail: string): Promise<{ known: number; unknown: number }> {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      // Alternate which goes first, so drift in machine load falls on both equally.
      const order = i % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
      for (const kind of order) {
        const email = kind === 'known' ? knownEmail : uniqueEmail();
        const started = performance.now();
        const response = await login(t.app, email, 'a wrong password');
        const elapsed = performance.now() - started;
        expect(response.statusCode).toBe(401);
        (kind === 'known' ? known : unknown).push(elapsed);
      }
    }
    return { known: median(known), unknown: median(unknown) };
  }

  it('answers a wrong password and an unknown email in the same time, within noise', async () => {
    const user = await registerUser(t.app, uniqueEmail(), PASSWORD);
    // Warm up both paths (the unknown-email path prepares its stand-in hash once).
    for (let i = 0; i < 3; i++) {
      await login(t.app, user.email, 'warm up');
      await login(t.app, uniqueEmail(), 'warm up');
    }
    // A real difference (an unknown email skipping the password hash) shows every time; noise
    // on a loaded machine does not: a round within the bound is enough.
    const rounds: Array<{ known: number; unknown: number }> = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const round = await measure(user.email);
      rounds.push(round);
      if (Math.abs(round.known - round.unknown) < 0.4 * Math.max(round.known, round.unknown)) break;
    }
    const last = rounds[rounds.length - 1] ?? { known: 0, unknown: 0 };
    // Both paths did the work of a password hash: neither is a fast path.
    expect(Math.min(last.known, last.unknown)).toBeGreaterThan(2);
    expect(Math.abs(last.known - last.unknown), JSON.stringify(rounds)).toBeLessThan(0.4 * Math.max(last.known, last.unknown));
  }, 120_000);
});
