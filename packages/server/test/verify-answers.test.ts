import { VERIFY_STATUS, VerifyFailure, VerifySuccessKey, VerifySuccessService, type VerifyOutcome } from '@elyzor/contract';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, createService, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

/**
 * Every answer of the verify endpoints, as a socket's request gets it (through the verify lane),
 * checked against the wire contract's documented schemas — closed, so an undocumented field is a
 * failure — and its status against the contract's outcome → status map. The SDK types its
 * answers with the same schemas.
 */

const ajv = new Ajv({ strict: false, allErrors: true });
const closed = (schema: object): ValidateFunction => ajv.compile({ ...schema, additionalProperties: false });
const success = { key: closed(VerifySuccessKey), service: closed(VerifySuccessService) };
const failure = closed(VerifyFailure);

let t: TestApp;
let token: string;
let projectId: string;

beforeAll(async () => {
  t = await startApp();
  ({ user: { accessToken: token }, projectId } = await userWithProject(t.app));
});

afterAll(async () => {
  await t.close();
});

function expectDocumented(response: { statusCode: number; body: string }, kind: 'key' | 'service', outcome: VerifyOutcome): void {
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(response.statusCode).toBe(VERIFY_STATUS[outcome]);
  const validate = outcome === 'valid' ? success[kind] : failure;
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  if (outcome !== 'valid') expect(body.error).toBe(outcome);
}

describe('verify answers match the documented schemas', () => {
  it('a valid key, with and without quota and credits', async () => {
    const plain = await createKey(t.app, token, projectId);
    expectDocumented(await verifyKey(t.app, plain.key), 'key', 'valid');
    const metered = await createKey(t.app, token, projectId, { quota: { limit: 10, period: 'day' }, credits: { remaining: 5 }, metadata: { plan: 'pro' }, ownerId: 'u1' });
    const response = await verifyKey(t.app, metered.key);
    expectDocumented(response, 'key', 'valid');
    expect(JSON.parse(response.body)).toMatchObject({ quotaRemaining: 9, creditsRemaining: 4 });
  });

  it('a valid service', async () => {
    const service = await createService(t.app, token, projectId);
    expectDocumented(await verifyService(t.app, service.key), 'service', 'valid');
  });

  it('every refusal', async () => {
    expectDocumented(await verifyKey(t.app, 'sk_live_nonsense'), 'key', 'invalid_key');
    const revoked = await createKey(t.app, token, projectId);
    await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${revoked.id}`, headers: bearer(token) });
    expectDocumented(await verifyKey(t.app, revoked.key), 'key', 'key_revoked');
    const service = await createService(t.app, token, projectId);
    await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/services/${service.id}`, headers: bearer(token) });
    expectDocumented(await verifyService(t.app, service.key), 'service', 'service_revoked');
    const expired = await createKey(t.app, token, projectId, { expiresAt: new Date(Date.now() + 1000).toISOString() });
    await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/keys/${expired.id}`, headers: bearer(token), payload: { expiresAt: '2000-01-01T00:00:00.000Z' } });
    expectDocumented(await verifyKey(t.app, expired.key), 'key', 'key_expired');
    const disabled = await createKey(t.app, token, projectId, { enabled: false });
    expectDocumented(await verifyKey(t.app, disabled.key), 'key', 'key_disabled');
    const fenced = await createKey(t.app, token, projectId, { ipAllowlist: ['10.0.0.0/8'] });
    expectDocumented(await verifyKey(t.app, fenced.key, { ip: '192.168.1.1' }), 'key', 'ip_not_allowed');
    const scoped = await createKey(t.app, token, projectId, { scopes: ['read'] });
    const missing = await verifyKey(t.app, scoped.key, { scopes: ['write'] });
    expectDocumented(missing, 'key', 'insufficient_scope');
    expect(JSON.parse(missing.body)).toMatchObject({ missingScopes: ['write'] });
    const limited = await createKey(t.app, token, projectId, { rateLimit: { limit: 1, windowSeconds: 60 } });
    await verifyKey(t.app, limited.key);
    expectDocumented(await verifyKey(t.app, limited.key), 'key', 'rate_limit_exceeded');
    const quota = await createKey(t.app, token, projectId, { quota: { limit: 1, period: 'day' } });
    await verifyKey(t.app, quota.key);
    expectDocumented(await verifyKey(t.app, quota.key), 'key', 'quota_exceeded');
  });

  it('checks an undocumented field as a failure (the check itself can fail)', () => {
    expect(success.key({ valid: true, projectId: 'p', rateLimitRemaining: 1, keyId: 'k', environment: 'live', scopes: [], metadata: null, ownerId: null, expiresAt: null, extra: 1 })).toBe(false);
  });
});
