import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { inject, type InjectOptions } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../src/app.js';
import { VerifyBody } from '@elyzor/contract';
import type { AppLogger } from '../src/http/types.js';
import { createValidators } from '../src/http/validators.js';
import { jsonBodyParser, VerifyLane } from '../src/http/verify-lane.js';
import { bearer, createKey, createService, serverListener, startApp, userWithProject, type IssuedCredential, type TestApp } from './helpers/harness.js';

/**
 * The verify lane answers the plain form of POST /v1/verify{,/service} straight from node:http.
 * These tests hold it to Fastify's answers: the same request sent to Fastify's router and to
 * the server's listener (lane first) must get the same status, headers and body.
 */

let t: TestApp;
let token: string;
let projectId: string;
/** No rate limit of its own: answers do not change from one request to the next. */
let steady: IssuedCredential;
let scoped: IssuedCredential;
let revoked: IssuedCredential;
let service: IssuedCredential;

beforeAll(async () => {
  t = await startApp();
  const { user, projectId: id } = await userWithProject(t.app);
  token = user.accessToken;
  projectId = id;
  steady = await createKey(t.app, token, projectId, { rateLimit: { algorithm: 'none' } });
  scoped = await createKey(t.app, token, projectId, { rateLimit: { algorithm: 'none' }, scopes: ['read'] });
  revoked = await createKey(t.app, token, projectId, { rateLimit: { algorithm: 'none' } });
  service = await createService(t.app, token, projectId, 'lane-billing', { rateLimit: { algorithm: 'none' } });
  const response = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${revoked.id}`, headers: bearer(token) });
  expect(response.statusCode).toBe(204);
});

afterAll(async () => {
  await t.close();
});

/** What a caller can see of an answer, less what differs by design between two requests. */
function visible(response: LightMyRequestResponse): Record<string, unknown> {
  const body = response.body === '' ? null : (JSON.parse(response.body) as Record<string, unknown>);
  if (body !== null && typeof body.requestId === 'string') body.requestId = '<id>';
  const headers: Record<string, unknown> = {};
  for (const name of ['content-type', 'retry-after', 'ratelimit-policy', 'ratelimit', 'connection']) headers[name] = response.headers[name];
  headers['x-request-id'] = typeof response.headers['x-request-id'] === 'string' ? 'present' : 'missing';
  return { status: response.statusCode, headers, body };
}

const viaFastify = (options: InjectOptions): Promise<LightMyRequestResponse> => inject(t.app.routing, options);
const viaServer = (options: InjectOptions): Promise<LightMyRequestResponse> => inject(serverListener(t.app), options);

describe('the same answers as the Fastify routes', () => {
  const cases: Array<[string, () => InjectOptions]> = [
    ['a valid key', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key) })],
    ['a valid key with a JSON body', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: { cost: 1 } })],
    ['a valid service identity', () => ({ method: 'POST', url: '/v1/verify/service', headers: bearer(service.key) })],
    ['a key at the service endpoint', () => ({ method: 'POST', url: '/v1/verify/service', headers: bearer(steady.key) })],
    ['a revoked key', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(revoked.key) })],
    ['a missing scope', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(scoped.key), payload: { scopes: ['write'] } })],
    ['no Authorization header', () => ({ method: 'POST', url: '/v1/verify' })],
    ['another scheme', () => ({ method: 'POST', url: '/v1/verify', headers: { authorization: `Basic ${steady.key}` } })],
    ['a malformed key', () => ({ method: 'POST', url: '/v1/verify', headers: bearer('sk_live_nope.nope') })],
    ['an Authorization header over the cap', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(`sk_live_${'a'.repeat(300)}`) })],
    ['JSON that does not parse', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '{"cost":' })],
    ['a prototype key in the body', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1}}' })],
    ['a body that is not an object', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '[1,2]' })],
    ['a body of null', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: 'null' })],
    ['a body of null at the service endpoint', () => ({ method: 'POST', url: '/v1/verify/service', headers: { ...bearer(service.key), 'content-type': 'application/json' }, payload: 'null' })],
    ['a body that is a string', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '"x"' })],
    ['an unknown field', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: { costs: 1 } })],
    ['a field of the wrong type', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: { cost: '1' } })],
    ['a NUL character in a scope', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(scoped.key), payload: { scopes: ['re\u0000ad'] } })],
    ['an empty JSON body', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '' })],
    ['a body of spaces', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '   ' })],
    ['a charset parameter', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json; charset=utf-8' }, payload: '{}' })],
    ['a text body', () => ({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'text/plain' }, payload: 'hello' })],
    ['a body without a content type', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: Buffer.from('{}') })],
    ['a body over the limit', () => ({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: { ip: 'x'.repeat(BODY_LIMIT) } })],
    ['a query string', () => ({ method: 'POST', url: '/v1/verify?x=1', headers: bearer(steady.key) })],
    ['a GET', () => ({ method: 'GET', url: '/v1/verify', headers: bearer(steady.key) })],
    ['a trailing slash', () => ({ method: 'POST', url: '/v1/verify/', headers: bearer(steady.key) })],
  ];

  for (const [name, options] of cases) {
    it(name, async () => {
      const fastify = await viaFastify(options());
      const server = await viaServer(options());
      expect(visible(server)).toEqual(visible(fastify));
    });
  }

  it('refuses a body of JSON null with 400 validation_error, as any body that is not an object, on both lanes', async () => {
    const options: InjectOptions = { method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: 'null' };
    for (const response of [await viaFastify(options), await viaServer(options)]) {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ valid: false, error: 'validation_error', message: 'Invalid body: body must be object' });
    }
  });

  it('propagates a sane X-Request-Id and replaces an unsafe one', async () => {
    const sane = await viaServer({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'x-request-id': 'trace-123' } });
    expect(sane.headers['x-request-id']).toBe('trace-123');
    const unsafe = await viaServer({ method: 'POST', url: '/v1/verify', headers: { ...bearer('bad'), 'x-request-id': 'a b<script>' } });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const error = await viaServer({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json', 'x-request-id': 'trace-456' }, payload: '{' });
    expect(error.statusCode).toBe(400);
    expect(error.json()).toMatchObject({ valid: false, error: 'validation_error', requestId: 'trace-456' });
  });

  it('answers a verification on a credential with a limit as Fastify does, header for header', async () => {
    const limited = await createKey(t.app, token, projectId, { rateLimit: { algorithm: 'sliding_window', limit: 3, windowSeconds: 60 } });
    const answers = [];
    for (let i = 0; i < 2; i++) {
      answers.push(await viaFastify({ method: 'POST', url: '/v1/verify', headers: bearer(limited.key) }));
      answers.push(await viaServer({ method: 'POST', url: '/v1/verify', headers: bearer(limited.key) }));
    }
    // One limit, two lanes: the remaining units count down across both.
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.ratelimit?.toString().split(';')[1])).toEqual(['r=2', 'r=1', 'r=0', 'r=0']);
    expect(answers[3]?.json()).toEqual({ valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) });
    expect(answers[3]?.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
  });
});

describe('which requests the lane takes', () => {
  let lane: VerifyLane;
  beforeAll(() => {
    lane = new VerifyLane({
      deps: t.deps,
      trust: false,
      parseJson: jsonBodyParser(t.app.getDefaultJsonParser('error', 'error')),
      validate: createValidators().body.compile(VerifyBody),
      bodyLimit: BODY_LIMIT,
      logger: t.app.log as AppLogger,
    });
  });

  /** 200-599 when the lane answered; 0 when it handed the request on untouched. */
  async function taken(options: InjectOptions): Promise<number> {
    const response = await inject((req, res) => {
      if (!lane.take(req, res)) {
        res.writeHead(204);
        res.end();
      }
    }, options);
    return response.statusCode === 204 ? 0 : response.statusCode;
  }

  it('takes the plain forms of both endpoints', async () => {
    expect(await taken({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key) })).toBe(200);
    expect(await taken({ method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: { cost: 0 } })).toBe(200);
    expect(await taken({ method: 'POST', url: '/v1/verify/service', headers: bearer(service.key) })).toBe(200);
    expect(await taken({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'Application/JSON; charset=utf-8' }, payload: '{}' })).toBe(200);
    expect(await taken({ method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/json' }, payload: '{' })).toBe(400);
  });

  it('hands every other form to Fastify before reading it', async () => {
    const declined: InjectOptions[] = [
      { method: 'GET', url: '/v1/verify', headers: bearer(steady.key) },
      { method: 'POST', url: '/v1/verify?a=1', headers: bearer(steady.key) },
      { method: 'POST', url: '/v1/verify/', headers: bearer(steady.key) },
      { method: 'POST', url: '/v1/verifyx', headers: bearer(steady.key) },
      { method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'text/plain' }, payload: 'x' },
      { method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'content-type': 'application/jsonx' }, payload: '{}' },
      { method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: Buffer.from('{}') },
      { method: 'POST', url: '/v1/verify', headers: { ...bearer(steady.key), 'transfer-encoding': 'chunked' }, payload: '{}' },
      { method: 'POST', url: '/v1/verify', headers: bearer(steady.key), payload: { ip: 'x'.repeat(BODY_LIMIT) } },
      { method: 'POST', url: '/v1/verify', headers: bearer(`sk_live_${'a'.repeat(300)}`) },
    ];
    for (const options of declined) expect(await taken(options), `${options.method} ${options.url}`).toBe(0);
  });

  it('answers with Connection: close once the app is closing', async () => {
    lane.closing = true;
    const response = await inject((req, res) => void lane.take(req, res), { method: 'POST', url: '/v1/verify', headers: bearer(steady.key) });
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).toBe('close');
  });
});

describe('over a real socket', () => {
  it('serves many verifications on one keep-alive connection, and management next to them', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (path: string, authorization: string, body?: string): Promise<{ status: number; body: string; socket: unknown }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path, method: path.startsWith('/v1/verify') ? 'POST' : 'GET', agent, headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, socket: req.socket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await send('/v1/verify', `Bearer ${steady.key}`, i % 2 === 0 ? '{"cost":1}' : undefined));
    answers.push(await send('/v1/verify', 'Bearer sk_live_unknown.x'));
    answers.push(await send('/v1/projects', `Bearer ${token}`));
    agent.destroy();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 401, 200]);
    expect(JSON.parse(answers[0]?.body ?? '')).toMatchObject({ valid: true, projectId, keyId: steady.id });
    // All on one connection: the lane leaves keep-alive intact for the requests after it.
    expect(new Set(answers.map((a) => a.socket)).size).toBe(1);
  });
});
