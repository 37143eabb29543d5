import { ManualClock } from '@elyzor/core';
import { BadRequestErrorResponse, ForbiddenErrorResponse, NotFoundErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../test/helpers/harness.js';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

const clock = new ManualClock(Date.UTC(2026, 5, 10, 12));
let world: UnkeyWorld;
let apiId: string;

beforeAll(async () => {
  world = await startUnkeyWorld({ clock });
  apiId = (await world.unkey.apis.createApi({ name: 'keys-suite' })).data.apiId;
});
afterAll(async () => {
  await world.close();
});

const verify = (key: string, extra: Record<string, unknown> = {}) => world.unkey.keys.verifyKey({ key, ...extra }).then((r) => r.data);
const verifyV1 = async (key: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${world.baseUrl}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const v1 = (method: 'PATCH' | 'DELETE' | 'POST', url: string, payload?: Record<string, unknown>) =>
  world.server.app.inject({ method, url, headers: bearer(world.owner.accessToken), ...(payload !== undefined ? { payload } : {}) });

describe('keys.createKey / getKey / whoami', () => {
  it("issues a key of Unkey's format: prefix_ + base58 of byteLength bytes, start = prefix + 4", async () => {
    const created = await world.unkey.keys.createKey({ apiId, prefix: 'acme', byteLength: 32, name: 'first', meta: { plan: 'pro' }, externalId: 'user_1', permissions: ['documents.read'] });
    const { key, keyId } = created.data;
    expect(key).toMatch(/^acme_[1-9A-HJ-NP-Za-km-z]{43,44}$/);
    const got = (await world.unkey.keys.getKey({ keyId })).data;
    expect(got).toMatchObject({ keyId, start: key.slice(0, 'acme_'.length + 4), enabled: true, name: 'first', meta: { plan: 'pro' }, permissions: ['documents.read'], identity: { externalId: 'user_1' } });
    expect(Number.isInteger(got.createdAt)).toBe(true);
    // Optional fields are omitted, never null; the plaintext is never shown again.
    expect(JSON.stringify(got)).not.toContain('null');
    expect(JSON.stringify(got)).not.toContain(key);
    expect((await world.unkey.keys.whoami({ key })).data.keyId).toBe(keyId);
  });

  it('without a prefix the key is bare base58 of 16 bytes', async () => {
    const { key } = (await world.unkey.keys.createKey({ apiId })).data;
    expect(key).toMatch(/^[1-9A-HJ-NP-Za-km-z]{21,22}$/);
  });

  it('an unknown keyId, a made-up key, and another workspace’s key are typed 404s', async () => {
    for (const call of [() => world.unkey.keys.getKey({ keyId: 'key_123' }), () => world.unkey.keys.getKey({ keyId: '00000000-0000-4000-8000-000000000000' }), () => world.unkey.keys.whoami({ key: 'acme_notakeyatall' })]) {
      expect(await call().catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
    }
  });

  it('refuses what Elyzor cannot hold with a 400 that says so', async () => {
    const twoLimits = await world.unkey.keys.createKey({ apiId, ratelimits: [{ name: 'a', limit: 1, duration: 1000 }, { name: 'b', limit: 1, duration: 1000 }] }).catch((e: unknown) => e);
    expect(twoLimits).toBeInstanceOf(BadRequestErrorResponse);
    const badPrefix = await world.unkey.keys.createKey({ apiId, prefix: 'no spaces' }).catch((e: unknown) => e);
    expect((badPrefix as BadRequestErrorResponse).error.errors[0]?.location).toBe('body.prefix');
  });
});

describe('keys.verifyKey: every code, in Unkey’s order', () => {
  it('VALID, then NOT_FOUND for an unknown string; always HTTP 200', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId, meta: { a: 1 } })).data;
    expect(await verify(key)).toMatchObject({ valid: true, code: 'VALID', keyId, meta: { a: 1 }, enabled: true });
    expect(await verify('acme_4dd2nothere')).toEqual({ valid: false, code: 'NOT_FOUND' });
    const raw = await world.post('/v2/keys.verifyKey', { key: 'sk_live_malformed' });
    expect(raw.status).toBe(200);
  });

  it('DISABLED, and DISABLED before EXPIRED when both hold', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId, enabled: false, expires: clock.now() + 60_000 })).data;
    expect((await verify(key)).code).toBe('DISABLED');
    clock.advance(61_000);
    expect((await verify(key)).code).toBe('DISABLED');
    await world.unkey.keys.updateKey({ keyId, enabled: true });
    expect((await verify(key)).code).toBe('EXPIRED');
  });

  it('FORBIDDEN when the caller’s address is not on the key’s allowlist (set through /v1)', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId })).data;
    expect((await v1('PATCH', `/v1/projects/${apiId}/keys/${keyId}`, { ipAllowlist: ['10.1.2.3'] })).statusCode).toBe(200);
    expect((await verify(key)).code).toBe('FORBIDDEN');
  });

  it('INSUFFICIENT_PERMISSIONS by the query language: AND, OR, parentheses, AND binding tighter', async () => {
    const { key } = (await world.unkey.keys.createKey({ apiId, permissions: ['a', 'b'] })).data;
    const cases: Array<[string, boolean]> = [
      ['a', true],
      ['a AND b', true],
      ['a AND c', false],
      ['c OR a', true],
      ['c OR a AND b', true],
      ['(c OR a) AND d', false],
      ['c OR (a AND d)', false],
      ['c or b and a', true],
    ];
    for (const [permissions, valid] of cases) {
      expect((await verify(key, { permissions })).code, permissions).toBe(valid ? 'VALID' : 'INSUFFICIENT_PERMISSIONS');
    }
    for (const broken of ['a AND', '(a OR b', 'a b', 'AND a', 'a OR )']) {
      const error = await verify(key, { permissions: broken }).catch((e: unknown) => e);
      expect(error, broken).toBeInstanceOf(BadRequestErrorResponse);
    }
  });

  it('RATE_LIMITED by an auto-applied limit, with its numbers; a rate-limited call spends no credit', async () => {
    const { key } = (await world.unkey.keys.createKey({ apiId, credits: { remaining: 10 }, ratelimits: [{ name: 'requests', limit: 2, duration: 60_000, autoApply: true }] })).data;
    const first = await verify(key);
    expect(first).toMatchObject({ valid: true, code: 'VALID', credits: 9, ratelimits: [{ name: 'requests', limit: 2, duration: 60_000, remaining: 1, exceeded: false, autoApply: true }] });
    await verify(key);
    const third = await verify(key);
    expect(third).toMatchObject({ valid: false, code: 'RATE_LIMITED', ratelimits: [{ name: 'requests', exceeded: true, remaining: 0 }] });
    const id = (await world.unkey.keys.whoami({ key })).data;
    expect(id.credits?.remaining).toBe(8);
  });

  it('a limit that is not auto-applied counts only when the verification names it; an unknown name is 412', async () => {
    const { key } = (await world.unkey.keys.createKey({ apiId, ratelimits: [{ name: 'expensive', limit: 1, duration: 60_000 }] })).data;
    expect((await verify(key)).code).toBe('VALID');
    expect((await verify(key)).code).toBe('VALID');
    expect((await verify(key, { ratelimits: [{ name: 'expensive' }] })).code).toBe('VALID');
    expect((await verify(key, { ratelimits: [{ name: 'expensive' }] })).code).toBe('RATE_LIMITED');
    const unknown = await world.post('/v2/keys.verifyKey', { key, ratelimits: [{ name: 'nope' }] });
    expect(unknown.status).toBe(412);
  });

  it('USAGE_EXCEEDED when the credits run out; credits.cost spends that many', async () => {
    const { key } = (await world.unkey.keys.createKey({ apiId, credits: { remaining: 3 } })).data;
    expect(await verify(key, { credits: { cost: 2 } })).toMatchObject({ code: 'VALID', credits: 1 });
    expect((await verify(key, { credits: { cost: 2 } })).code).toBe('USAGE_EXCEEDED');
    expect(await verify(key, { credits: { cost: 0 } })).toMatchObject({ code: 'VALID', credits: 1 });
    expect(await verify(key)).toMatchObject({ code: 'VALID', credits: 0 });
    expect((await verify(key)).code).toBe('USAGE_EXCEEDED');
  });

  it('a root key without api.*.verify_key is a typed 403; a key of another workspace is NOT_FOUND', async () => {
    const { key } = (await world.unkey.keys.createKey({ apiId })).data;
    const noVerify = world.sdk(await world.rootKeyWith(['api.*.read_key']));
    expect(await noVerify.keys.verifyKey({ key }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    const scoped = world.sdk(await world.rootKeyWith([`api.${apiId}.verify_key`]));
    expect((await scoped.keys.verifyKey({ key })).data.code).toBe('VALID');
    const { registerUser, createProject, createKey } = await import('../test/helpers/harness.js');
    const stranger = await registerUser(world.server.app);
    const theirs = await createKey(world.server.app, stranger.accessToken, (await createProject(world.server.app, stranger.accessToken)).id);
    expect(await verify(theirs.key)).toEqual({ valid: false, code: 'NOT_FOUND' });
  });
});

describe('/v1 and /v2 verify each other’s keys, and see each other’s revocations', () => {
  it('a key created at /v2 verifies at /v1/verify, and a /v2 deletion is NOT_FOUND/invalid at both', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId, permissions: ['read'] })).data;
    const first = await verifyV1(key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ valid: true, keyId, projectId: apiId, scopes: ['read'] });
    await world.unkey.keys.deleteKey({ keyId });
    expect((await verifyV1(key)).body).toMatchObject({ valid: false });
    expect((await verify(key)).code).toBe('NOT_FOUND');
    expect(await world.unkey.keys.getKey({ keyId }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('a key created at /v1 verifies at /v2, and a /v1 revocation is seen by /v2 on the next request', async () => {
    const created = await v1('POST', `/v1/projects/${apiId}/keys`, { label: 'from-v1', scopes: ['write'] });
    const { id, key } = created.json() as { id: string; key: string };
    expect(await verify(key, { permissions: 'write' })).toMatchObject({ valid: true, code: 'VALID', keyId: id, permissions: ['write'] });
    expect((await world.unkey.keys.getKey({ keyId: id })).data).toMatchObject({ keyId: id, name: 'from-v1', start: expect.stringMatching(/^sk_live_/) });
    expect((await v1('DELETE', `/v1/projects/${apiId}/keys/${id}`)).statusCode).toBe(204);
    expect((await verify(key)).code).toBe('NOT_FOUND');
  });

  it('one usage record: verifications at both count in /v1’s usage of the key', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId })).data;
    await verify(key);
    await verifyV1(key);
    await world.server.deps.usage.flush();
    const usage = await world.server.app.inject({ method: 'GET', url: `/v1/projects/${apiId}/keys/${keyId}/usage`, headers: bearer(world.owner.accessToken) });
    expect(usage.statusCode, usage.body).toBe(200);
    expect(JSON.stringify(usage.json())).toContain('"count":2');
  });
});

describe('keys.updateKey / rerollKey / updateCredits / deleteKey', () => {
  it('updateKey: null clears a field, a list replaces, an absent field stays', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId, name: 'n', meta: { m: 1 }, externalId: 'ext', expires: clock.now() + 3_600_000, credits: { remaining: 5 }, permissions: ['a', 'b'], ratelimits: [{ name: 'r', limit: 5, duration: 1000, autoApply: true }] })).data;
    await world.unkey.keys.updateKey({ keyId, name: null, meta: null, externalId: null, expires: null, credits: null, permissions: ['c'], ratelimits: [] });
    const got = (await world.unkey.keys.getKey({ keyId })).data;
    expect(got).not.toHaveProperty('name');
    expect(got).not.toHaveProperty('meta');
    expect(got).not.toHaveProperty('identity');
    expect(got).not.toHaveProperty('expires');
    expect(got).not.toHaveProperty('credits');
    expect(got).not.toHaveProperty('ratelimits');
    expect(got.permissions).toEqual(['c']);
    await world.unkey.keys.updateKey({ keyId, name: 'again' });
    expect((await world.unkey.keys.getKey({ keyId })).data).toMatchObject({ name: 'again', permissions: ['c'] });
    expect((await verify(key)).code).toBe('VALID');
  });

  it('rerollKey with expiration 0: the new key works and the old one stops at once', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId, prefix: 'rr', meta: { kept: true } })).data;
    const rerolled = (await world.unkey.keys.rerollKey({ keyId, expiration: 0 })).data;
    expect(rerolled.keyId).not.toBe(keyId);
    expect(rerolled.key).toMatch(/^rr_/);
    expect(await verify(rerolled.key)).toMatchObject({ code: 'VALID', meta: { kept: true } });
    expect((await verify(key)).code).toBe('NOT_FOUND');
  });

  it('rerollKey with an overlap: both work until it ends (rounded up to the minute)', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId })).data;
    const rerolled = (await world.unkey.keys.rerollKey({ keyId, expiration: 90_000 })).data;
    expect((await verify(key)).code).toBe('VALID');
    expect((await verify(rerolled.key)).code).toBe('VALID');
    clock.advance(119_000);
    expect((await verify(key)).code).toBe('VALID');
    clock.advance(2_000);
    expect((await verify(key)).code).toBe('NOT_FOUND');
    expect((await verify(rerolled.key)).code).toBe('VALID');
  });

  it('updateCredits: set, increment, decrement the live balance; set null is unlimited', async () => {
    const { key, keyId } = (await world.unkey.keys.createKey({ apiId, credits: { remaining: 5, refill: { interval: 'daily', amount: 5 } } })).data;
    await verify(key);
    // Each new balance is a fresh count from the moment it is set: let the clock move between them.
    clock.advance(1000);
    expect((await world.unkey.keys.updateCredits({ keyId, operation: 'increment', value: 3 })).data).toEqual({ remaining: 7, refill: { interval: 'daily', amount: 5 } });
    clock.advance(1000);
    expect((await world.unkey.keys.updateCredits({ keyId, operation: 'decrement', value: 10 })).data.remaining).toBe(0);
    expect((await verify(key)).code).toBe('USAGE_EXCEEDED');
    clock.advance(1000);
    expect((await world.unkey.keys.updateCredits({ keyId, operation: 'set', value: 1 })).data.remaining).toBe(1);
    expect(await verify(key)).toMatchObject({ code: 'VALID', credits: 0 });
    expect((await world.unkey.keys.updateCredits({ keyId, operation: 'set', value: null })).data).toEqual({ remaining: null });
    expect(await verify(key)).not.toHaveProperty('credits');
    const noValue = await world.unkey.keys.updateCredits({ keyId, operation: 'increment' }).catch((e: unknown) => e);
    expect(noValue).toBeInstanceOf(BadRequestErrorResponse);
  });

  it('deleteKey twice: the second is a typed 404', async () => {
    const { keyId } = (await world.unkey.keys.createKey({ apiId })).data;
    await world.unkey.keys.deleteKey({ keyId, permanent: true });
    expect(await world.unkey.keys.deleteKey({ keyId }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
  });
});
