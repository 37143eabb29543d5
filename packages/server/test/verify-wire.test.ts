import type { LightMyRequestResponse } from 'fastify';
import { inject, type InjectOptions } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, createService, serverListener, startApp, userWithProject, type IssuedCredential, type TestApp } from './helpers/harness.js';

/**
 * The exact bytes of a successful verification, on both lanes (Fastify's routes and the verify
 * lane the server's listener tries first), with every optional field: quota, credits and the
 * service object. The answer text is assembled from parts kept per record from its second
 * verification on, so the first, second and later answers of one record are all pinned here:
 * a change to how the answer is made that changes a byte (key order, escaping, a number's form,
 * a header) fails.
 */

let t: TestApp;
let projectId: string;
let key: IssuedCredential;
let service: IssuedCredential;

const RATE = { algorithm: 'sliding_window', limit: 1000, windowSeconds: 60 };

beforeAll(async () => {
  t = await startApp();
  const { user, projectId: id } = await userWithProject(t.app);
  projectId = id;
  key = await createKey(t.app, user.accessToken, projectId, {
    scopes: ['read:invoices', 'write:*'],
    // Keys in the order PostgreSQL's jsonb keeps them (shorter first), so both backends agree.
    metadata: { note: 'quote " and <tag>, é and \u2028', plan: 'pro', nested: { n: 1.5, list: [true, null] } },
    ownerId: 'cus_42',
    expiresAt: '2099-12-31T23:59:59.000Z',
    rateLimit: RATE,
    quota: { limit: 100, period: 'day' },
    credits: { remaining: 50 },
  });
  service = await createService(t.app, user.accessToken, projectId, 'wire-billing', { rateLimit: RATE, credits: { remaining: 7 } });
});

afterAll(async () => {
  await t.close();
});

const viaFastify = (options: InjectOptions): Promise<LightMyRequestResponse> => inject(t.app.routing, options);
const viaServer = (options: InjectOptions): Promise<LightMyRequestResponse> => inject(serverListener(t.app), options);

function expectExact(response: LightMyRequestResponse, body: string, remaining: number): void {
  expect(response.statusCode).toBe(200);
  expect(response.body).toBe(body);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(response.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  expect(response.headers['ratelimit-policy']).toBe('"default";q=1000;w=60');
  // The reset is seconds until the window frees units: at most the window, and time-dependent.
  expect(response.headers.ratelimit).toMatch(new RegExp(`^"default";r=${remaining};t=(?:[1-5]?[0-9]|60)$`));
  expect(response.headers['retry-after']).toBeUndefined();
  expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
}

describe('the exact bytes of a successful verification', () => {
  it('an API key with quota and credits: every answer of the record, on both lanes', async () => {
    const expected = (spent: number): string =>
      `{"valid":true,"projectId":"${projectId}","rateLimitRemaining":${1000 - spent},"keyId":"${key.id}","environment":"live",` +
      `"scopes":["read:invoices","write:*"],"metadata":{"note":"quote \\" and <tag>, é and \u2028","plan":"pro","nested":{"n":1.5,"list":[true,null]}},` +
      `"ownerId":"cus_42","expiresAt":"2099-12-31T23:59:59.000Z","quotaRemaining":${100 - spent},"creditsRemaining":${50 - spent}}`;
    const request = (): InjectOptions => ({ method: 'POST', url: '/v1/verify', headers: bearer(key.key) });
    // The lane first: its first answer is the record's first (a cache miss), then alternately.
    const lanes = [viaServer, viaServer, viaFastify, viaServer, viaFastify, viaFastify];
    for (const [i, lane] of lanes.entries()) expectExact(await lane(request()), expected(i + 1), 1000 - (i + 1));
  });

  it('a service identity with credits and a cost of 2, on both lanes', async () => {
    const expected = (spent: number): string =>
      `{"valid":true,"projectId":"${projectId}","rateLimitRemaining":${1000 - spent},"keyId":"${service.id}","environment":"live",` +
      `"scopes":[],"metadata":null,"ownerId":null,"expiresAt":null,"creditsRemaining":${7 - spent},"service":{"id":"${service.id}","name":"wire-billing"}}`;
    const request = (): InjectOptions => ({ method: 'POST', url: '/v1/verify/service', headers: bearer(service.key), payload: { cost: 2 } });
    const lanes = [viaFastify, viaServer, viaServer];
    for (const [i, lane] of lanes.entries()) expectExact(await lane(request()), expected(2 * (i + 1)), 1000 - 2 * (i + 1));
  });
});
