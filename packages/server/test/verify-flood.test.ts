import { randomBytes } from 'node:crypto';
import { generateCredential, parseCredential, type CredentialRecord } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, createService, startApp, userWithProject, type TestApp } from './helpers/harness.js';

/**
 * A flood of unknown keys from one address is throttled without slowing verification for
 * everyone else: the address's failure budget (IP_RATE_LIMIT_VERIFY_FAILURES) is spent by
 * unknown or malformed credentials only, other addresses never feel it, and unknown keys reach
 * the store at most once each (the negative cache remembers them). A spent budget refuses only
 * what is unknown or malformed: the flooded address is usually the protected API itself, and
 * the real credentials it presents keep verifying.
 */

const FAILURE_BUDGET = 50;
/** Ids one store query of an address past its budget reads (IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH). */
const OVER_BUDGET_BATCH = 500;

let addressCounter = 0;
const freshAddress = (): string => {
  addressCounter += 1;
  return `198.51.${Math.floor(addressCounter / 256) % 256}.${addressCounter % 256}`;
};

const publicIdOf = (token: string): string => parseCredential(token)?.publicId ?? '';

const unknownKey = (): { publicId: string; token: string } => generateCredential('sk');

function expectThrottled(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(429);
  const body = response.json<{ valid: boolean; error: string; retryAfter: number }>();
  expect(body).toEqual({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });
  expect(Number.isInteger(body.retryAfter)).toBe(true);
  expect(body.retryAfter).toBeGreaterThan(0);
  // The budget is a sliding window of 60 s: spent early in a window, it carries whole into the
  // next, and frees a unit once its weight has fallen by one — up to 60 s + 60 s / budget away.
  expect(body.retryAfter).toBeLessThanOrEqual(60 + Math.ceil(60 / FAILURE_BUDGET));
  expect(response.headers['retry-after']).toBe(String(body.retryAfter));
}

function expectInvalidKey(response: LightMyRequestResponse): void {
  expect(response.statusCode, response.body).toBe(401);
  expect(response.json()).toEqual({ valid: false, error: 'invalid_key' });
}

describe(`verification flood from one address (${backend})`, () => {
  let t: TestApp;
  let token: string;
  let projectId: string;
  /** Store lookups by public id: what reached the database through the cache. */
  const lookups = new Map<string, number>();

  const verifyFrom = (key: string, remoteAddress: string, url = '/v1/verify'): Promise<LightMyRequestResponse> =>
    t.app.inject({ method: 'POST', url, headers: bearer(key), remoteAddress });

  beforeAll(async () => {
    t = await startApp({
      env: {
        IP_RATE_LIMIT_VERIFY_FAILURES: String(FAILURE_BUDGET),
        IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH: String(OVER_BUDGET_BATCH),
        IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE: '5000',
        IP_RATE_LIMIT_WINDOW_SECONDS: '60',
        // Long enough that no negative entry ages out during the suite on a slow machine.
        CACHE_NEGATIVE_TTL_SECONDS: '600',
      },
    });
    ({ user: { accessToken: token }, projectId } = await userWithProject(t.app));
    // Count the store lookups the cache lets through; the lookup itself runs unchanged.
    const cache = t.deps.cache;
    const load = cache.load.bind(cache);
    cache.load = (publicId: string, fetch: (publicId: string) => Promise<CredentialRecord | null>) =>
      load(publicId, (id) => {
        lookups.set(id, (lookups.get(id) ?? 0) + 1);
        return fetch(id);
      });
  });

  afterAll(async () => {
    await t?.close();
  });

  it(`refuses an address after ${FAILURE_BUDGET} unknown keys, while another address verifies every time`, async () => {
    const flooder = freshAddress();
    const neighbour = freshAddress();
    const unlimited = { rateLimit: { algorithm: 'none' } };
    const neighbourKey = await createKey(t.app, token, projectId, unlimited);
    const flooderKey = await createKey(t.app, token, projectId, unlimited);
    const flooderService = await createService(t.app, token, projectId, undefined, unlimited);
    const keys = Array.from({ length: 200 }, unknownKey);

    const flood: LightMyRequestResponse[] = [];
    let neighbourChecks = 0;
    for (const [i, key] of keys.entries()) {
      // The neighbour's verifications run alongside the flood, not after it.
      const [fromFlooder, fromNeighbour] = await Promise.all([
        verifyFrom(key.token, flooder),
        i % 2 === 0 ? verifyFrom(neighbourKey.key, neighbour) : Promise.resolve(null),
      ]);
      flood.push(fromFlooder);
      if (fromNeighbour !== null) {
        neighbourChecks += 1;
        expect(fromNeighbour.statusCode, fromNeighbour.body).toBe(200);
        expect(fromNeighbour.json()).toMatchObject({ valid: true, projectId, keyId: neighbourKey.id });
      }
    }
    expect(neighbourChecks).toBe(100);

    flood.slice(0, FAILURE_BUDGET).forEach(expectInvalidKey);
    flood.slice(FAILURE_BUDGET).forEach(expectThrottled);

    // A spent failure budget is not a kill switch: the flooding address is the protected API's
    // own, so the real credentials it presents (not cached yet, here) still verify, on both
    // endpoints; only what is unknown or malformed is refused.
    expect((await verifyFrom(flooderKey.key, flooder)).json()).toMatchObject({ valid: true, keyId: flooderKey.id });
    expect((await verifyFrom(flooderService.key, flooder, '/v1/verify/service')).json()).toMatchObject({ valid: true, keyId: flooderService.id });
    expectThrottled(await verifyFrom(unknownKey().token, flooder));
    // The same credentials from elsewhere are fine: nothing happened to them.
    expect((await verifyFrom(flooderKey.key, freshAddress())).statusCode).toBe(200);
    expect((await verifyFrom(flooderService.key, freshAddress(), '/v1/verify/service')).statusCode).toBe(200);
    expect((await verifyFrom(neighbourKey.key, neighbour)).statusCode).toBe(200);
  });

  it('lets each unknown key reach the store at most once, within the budget and past it', async () => {
    const flooder = freshAddress();
    const keys = Array.from({ length: 120 }, unknownKey);
    const answers = [];
    for (const key of keys) answers.push(await verifyFrom(key.token, flooder));
    answers.slice(0, FAILURE_BUDGET).forEach(expectInvalidKey);
    answers.slice(FAILURE_BUDGET).forEach(expectThrottled);
    // An address over its budget still has a well-formed id looked up (it could be a real
    // credential that is not cached); each id once, and then the negative cache.
    for (const [i, key] of keys.entries()) expect(lookups.get(key.publicId) ?? 0, `key ${i}`).toBeLessThanOrEqual(1);
    for (const key of keys) expectThrottled(await verifyFrom(key.token, flooder));
    for (const [i, key] of keys.entries()) expect(lookups.get(key.publicId) ?? 0, `key ${i}`).toBeLessThanOrEqual(1);
  });

  it('verifies a real credential from an address whose failure budget is spent, cached or not', async () => {
    const flooder = freshAddress();
    const cachedKey = await createKey(t.app, token, projectId, { rateLimit: { algorithm: 'none' } });
    const uncachedKey = await createKey(t.app, token, projectId, { rateLimit: { algorithm: 'none' } });
    const revoked = await createKey(t.app, token, projectId);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${revoked.id}`, headers: bearer(token) })).statusCode).toBe(204);
    // Cached from another address before the flood.
    expect((await verifyFrom(cachedKey.key, freshAddress())).statusCode).toBe(200);
    for (let i = 0; i < FAILURE_BUDGET; i++) expectInvalidKey(await verifyFrom(unknownKey().token, flooder));
    expectThrottled(await verifyFrom(unknownKey().token, flooder));
    expectThrottled(await verifyFrom('not-a-key', flooder));

    expect(t.deps.cache.peek(publicIdOf(cachedKey.key))).toBeTruthy();
    expect((await verifyFrom(cachedKey.key, flooder)).json()).toMatchObject({ valid: true, keyId: cachedKey.id });
    expect(t.deps.cache.peek(publicIdOf(uncachedKey.key))).toBeUndefined();
    expect((await verifyFrom(uncachedKey.key, flooder)).json()).toMatchObject({ valid: true, keyId: uncachedKey.id });
    expect((await verifyFrom(uncachedKey.key, flooder)).json()).toMatchObject({ valid: true, keyId: uncachedKey.id });
    // A real credential's own refusal is its answer; junk is still refused with 429.
    expect((await verifyFrom(revoked.key, flooder)).json()).toEqual({ valid: false, error: 'key_revoked' });
    expectThrottled(await verifyFrom(unknownKey().token, flooder));
    expectThrottled(await verifyFrom(`${cachedKey.key.slice(0, -1)}x`, flooder));
  });

  it('gives the failure unit back to a verification answered 503 (a backend out of reach)', async () => {
    const address = freshAddress();
    const verifier = t.deps.verifier;
    const verify = verifier.verify.bind(verifier);
    // The error the embedded database throws once it is gone; stopping the real database is the
    // fault suite's business.
    verifier.verify = () => Promise.reject(new Error('PGlite is closed'));
    try {
      for (let i = 0; i < FAILURE_BUDGET + 10; i++) {
        const response = await verifyFrom(unknownKey().token, address);
        expect(response.statusCode, response.body).toBe(503);
        expect(response.json()).toMatchObject({ valid: false, error: 'service_unavailable' });
      }
    } finally {
      verifier.verify = verify;
    }
    // The outage spent none of the address's failure budget.
    for (let i = 0; i < FAILURE_BUDGET; i++) expectInvalidKey(await verifyFrom(unknownKey().token, address));
    expectThrottled(await verifyFrom(unknownKey().token, address));
  });

  it('spends the budget on malformed credentials too, without any store lookup', async () => {
    const flooder = freshAddress();
    const before = [...lookups.values()].reduce((a, b) => a + b, 0);
    const garbage = (i: number): string =>
      [`sk_live_${randomBytes(8).toString('hex')}.${'x'.repeat(49)}`, 'not-a-key', `svc_live_${i}`, `sk_live_${'A'.repeat(16)}.${'B'.repeat(49)}`][i % 4] ?? 'x';
    for (let i = 0; i < FAILURE_BUDGET; i++) expectInvalidKey(await verifyFrom(garbage(i), flooder));
    expectThrottled(await verifyFrom(garbage(0), flooder));
    expect([...lookups.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('does not count refusals of real credentials (revoked, over their own limit) against the address', async () => {
    const address = freshAddress();
    const revoked = await createKey(t.app, token, projectId);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${revoked.id}`, headers: bearer(token) });
    expect(revoke.statusCode).toBe(204);
    const limited = await createKey(t.app, token, projectId, { rateLimit: { limit: 1, windowSeconds: 60 } });
    for (let i = 0; i < FAILURE_BUDGET + 10; i++) {
      const response = await verifyFrom(revoked.key, address);
      expect(response.json()).toEqual({ valid: false, error: 'key_revoked' });
    }
    expect((await verifyFrom(limited.key, address)).statusCode).toBe(200);
    for (let i = 0; i < FAILURE_BUDGET + 10; i++) expect((await verifyFrom(limited.key, address)).json()).toMatchObject({ error: 'rate_limit_exceeded' });
    const fresh = await createKey(t.app, token, projectId);
    expect((await verifyFrom(fresh.key, address)).statusCode).toBe(200);
  });

  it('asks the store once for an unknown key verified 100 times, and remembers the miss', async () => {
    const key = unknownKey();
    // Spread over addresses so the failure budget is not what answers.
    const addresses = [freshAddress(), freshAddress(), freshAddress(), freshAddress()];
    expect(t.deps.cache.peek(key.publicId)).toBeUndefined();
    expectInvalidKey(await verifyFrom(key.token, addresses[0] ?? ''));
    expect(t.deps.cache.peek(key.publicId)).toBeNull();
    for (let i = 1; i < 100; i++) expectInvalidKey(await verifyFrom(key.token, addresses[i % addresses.length] ?? ''));
    expect(t.deps.cache.peek(key.publicId)).toBeNull();
    expect(lookups.get(key.publicId)).toBe(1);
  });

  it('asks the store once for an unknown key verified 100 times at once', async () => {
    const key = unknownKey();
    const responses = await Promise.all(Array.from({ length: 100 }, () => verifyFrom(key.token, freshAddress())));
    responses.forEach(expectInvalidKey);
    expect(lookups.get(key.publicId)).toBe(1);
    expect(t.deps.cache.peek(key.publicId)).toBeNull();
  });

  it(`holds a concurrent burst from one address to its ${FAILURE_BUDGET}-failure budget`, async () => {
    const flooder = freshAddress();
    const keys = Array.from({ length: 200 }, unknownKey);
    const queriesBefore = t.deps.verifyGate.lookups.queries;
    const responses = await Promise.all(keys.map((key) => verifyFrom(key.token, flooder)));
    const admitted = responses.filter((response) => response.statusCode === 401).length;
    for (const response of responses) expect([401, 429]).toContain(response.statusCode);
    // Spent before the lookup: the burst cannot all pass before the first of it is counted.
    expect(admitted).toBe(FAILURE_BUDGET);
    responses.filter((response) => response.statusCode === 429).forEach(expectThrottled);
    // Past the budget the rest are still looked up (any could be real), each once, in batches.
    for (const [i, key] of keys.entries()) expect(lookups.get(key.publicId) ?? 0, `key ${i}`).toBeLessThanOrEqual(1);
    expect(t.deps.verifyGate.lookups.queries - queriesBefore).toBeLessThanOrEqual(10);
  });

  it('verifies every uncached valid key sent in a burst of 2,000 junk keys with valid checksums from an address past its budget', async () => {
    const flooder = freshAddress();
    for (let i = 0; i < FAILURE_BUDGET; i++) expectInvalidKey(await verifyFrom(unknownKey().token, flooder));
    expectThrottled(await verifyFrom(unknownKey().token, flooder));
    // Created through the API and never verified: not in the cache.
    const valid = await Promise.all(Array.from({ length: 40 }, () => createKey(t.app, token, projectId, { rateLimit: { algorithm: 'none' } })));
    for (const key of valid) expect(t.deps.cache.peek(publicIdOf(key.key))).toBeUndefined();
    const junk = Array.from({ length: 2000 }, unknownKey);
    // The valid keys spread through the junk, all sent at once.
    const burst: Array<{ token: string; validId: string | null }> = junk.map((key) => ({ token: key.token, validId: null }));
    valid.forEach((key, i) => burst.splice(i * 50 + 25, 0, { token: key.key, validId: key.id }));
    const queriesBefore = t.deps.verifyGate.lookups.queries;

    const responses = await Promise.all(burst.map((item) => verifyFrom(item.token, flooder)));

    let answeredValid = 0;
    for (const [i, item] of burst.entries()) {
      const response = responses[i] as LightMyRequestResponse;
      if (item.validId === null) {
        expectThrottled(response);
      } else {
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toMatchObject({ valid: true, projectId, keyId: item.validId });
        answeredValid += 1;
      }
    }
    expect(answeredValid).toBe(40);
    // The store saw each id at most once, in a handful of batched queries (2,040 ids, 500 a query).
    for (const [i, key] of junk.entries()) expect(lookups.get(key.publicId) ?? 0, `junk ${i}`).toBeLessThanOrEqual(1);
    for (const key of valid) expect(lookups.get(publicIdOf(key.key)), key.id).toBe(1);
    const queries = t.deps.verifyGate.lookups.queries - queriesBefore;
    expect(queries).toBeGreaterThanOrEqual(Math.ceil(burst.length / OVER_BUDGET_BATCH));
    expect(queries).toBeLessThanOrEqual(Math.ceil(burst.length / OVER_BUDGET_BATCH) + 4);
    // Sent again, the junk is answered from the negative cache: no query at all.
    const again = await Promise.all(junk.slice(0, 200).map((key) => verifyFrom(key.token, flooder)));
    again.forEach(expectThrottled);
    expect(t.deps.verifyGate.lookups.queries - queriesBefore).toBe(queries);
  });
});
