import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyReply } from 'fastify';
import { Hono, type Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor } from '../src/index.js';
import { elyzorAuth as expressAuth, requireScopes as expressScopes } from '../src/middleware/express.js';
import { elyzorAuth as fastifyAuth, requireScopes as fastifyScopes } from '../src/middleware/fastify.js';
import { elyzorAuth as honoAuth, requireScopes as honoScopes, type ElyzorVariables } from '../src/middleware/hono.js';
import { hangingUp, listenOn, startElyzor, type RunningElyzor } from './helpers.js';

/**
 * The middleware in real Express, Fastify and Hono apps (Express and Fastify listening on a port,
 * Hono through `app.request`), against a real Elyzor: every key source, every refusal, scopes per
 * route, and Elyzor out of reach.
 */
let elyzor: RunningElyzor;
let admin: Elyzor;
let projectId: string;
beforeAll(async () => {
  elyzor = await startElyzor();
  admin = new Elyzor({ baseUrl: elyzor.baseUrl });
  await admin.auth.register(`mw-${randomUUID()}@example.com`, 'correct horse battery');
  projectId = (await admin.projects.create({ name: 'protected-api' })).id;
});
afterAll(async () => {
  await elyzor?.close();
});

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

interface Options {
  elyzor: Elyzor;
  kind?: 'key' | 'service';
  trustProxy?: boolean;
  onError?: boolean;
}

interface Running {
  request(path: string, init?: RequestInit): Promise<Reply>;
  close(): Promise<void>;
}

/** An app with `GET /invoices` (any valid key) and `POST /invoices` (scope `write:invoices`). */
type Build = (options: Options) => Promise<Running>;

const authOptions = (options: Options) => ({
  elyzor: options.elyzor,
  kind: options.kind ?? 'key',
  headerNames: ['x-api-key', 'x-custom-key'],
  query: 'api_key',
  cookie: 'elyzor_key',
  resource: () => 'invoices',
});

async function reply(response: Response): Promise<Reply> {
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function overHttp(server: Server): Promise<Running> {
  const base = await listenOn(server);
  return {
    request: async (path, init) => reply(await fetch(base + path, init)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const serviceOf = (result: unknown): unknown => (result as { service?: unknown } | undefined)?.service ?? null;

const frameworks: Array<[string, Build]> = [
  [
    'express',
    async (options) => {
      const app = express();
      if (options.trustProxy === true) app.set('trust proxy', true);
      const onError = (_error: unknown, _req: express.Request, res: express.Response): void => void res.status(500).json({ handled: true });
      app.use(expressAuth({ ...authOptions(options), ...(options.onError === true ? { onError } : {}) }));
      app.get('/invoices', (req, res) => void res.json({ id: req.elyzor?.keyId, service: serviceOf(req.elyzor) }));
      app.post('/invoices', expressScopes('write:invoices'), (req, res) => void res.json({ id: req.elyzor?.keyId, written: true }));
      return overHttp(app.listen(0, '127.0.0.1'));
    },
  ],
  [
    'fastify',
    async (options) => {
      const app = Fastify({ trustProxy: options.trustProxy === true });
      await app.register(
        fastifyAuth({
          ...authOptions(options),
          ...(options.onError === true ? { onError: (_error: unknown, _request: unknown, res: FastifyReply) => res.code(500).send({ handled: true }) } : {}),
        }),
      );
      app.get('/invoices', async (request) => ({ id: request.elyzor?.keyId, service: serviceOf(request.elyzor) }));
      app.post('/invoices', { preHandler: fastifyScopes('write:invoices') }, async (request) => ({ id: request.elyzor?.keyId, written: true }));
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      return { request: async (path, init) => reply(await fetch(base + path, init)), close: () => app.close() };
    },
  ],
  [
    'hono',
    async (options) => {
      const app = new Hono<{ Variables: ElyzorVariables }>();
      app.use(
        honoAuth({
          ...authOptions(options),
          // app.request has no socket: the address comes from the option here (on Node the middleware reads the socket).
          ip: (c) => (options.trustProxy === true ? c.req.header('x-forwarded-for') : '127.0.0.1'),
          ...(options.onError === true ? { onError: (_error: unknown, c: Context) => c.json({ handled: true }, 500) } : {}),
        }),
      );
      app.get('/invoices', (c) => c.json({ id: c.get('elyzor').keyId, service: serviceOf(c.get('elyzor')) }));
      app.post('/invoices', honoScopes('write:invoices'), (c) => c.json({ id: c.get('elyzor').keyId, written: true }));
      return { request: async (path, init) => reply(await app.request(path, init)), close: async () => undefined };
    },
  ],
];

const bearer = (key: string): RequestInit => ({ headers: { authorization: `Bearer ${key}` } });

describe.each(frameworks)('%s middleware', (_name, build) => {
  it('reads the key from Authorization: Bearer, x-api-key, a custom header, the query parameter and the cookie', async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }) });
    try {
      const { key, id } = await admin.keys.create(projectId, { scopes: ['read:invoices'] });
      const sources: RequestInit[] = [bearer(key), { headers: { 'x-api-key': key } }, { headers: { 'x-custom-key': key } }, { headers: { cookie: `theme=dark; elyzor_key=${encodeURIComponent(key)}` } }];
      for (const init of sources) expect(await app.request('/invoices', init)).toMatchObject({ status: 200, body: { id } });
      expect(await app.request(`/invoices?api_key=${encodeURIComponent(key)}`)).toMatchObject({ status: 200, body: { id } });
      // The documented order: Authorization first, even when a later source holds something else.
      expect(await app.request('/invoices', { headers: { authorization: `Bearer ${key}`, 'x-api-key': 'sk_live_bad.bad' } })).toMatchObject({ status: 200, body: { id } });
    } finally {
      await app.close();
    }
  });

  it('no key anywhere: 401 invalid_key, as the API answers', async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }) });
    try {
      expect(await app.request('/invoices')).toMatchObject({ status: 401, body: { valid: false, error: 'invalid_key' } });
      expect(await app.request('/invoices', { headers: { authorization: 'Basic abc' } })).toMatchObject({ status: 401, body: { valid: false, error: 'invalid_key' } });
    } finally {
      await app.close();
    }
  });

  it("each refusal answers the API's status and body: invalid, revoked, disabled, expired, IP, rate limit with its headers", async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }) });
    try {
      expect(await app.request('/invoices', bearer('sk_live_AAAAAAAAAAAAAAAA.nope'))).toMatchObject({ status: 401, body: { valid: false, error: 'invalid_key' } });

      const revoked = await admin.keys.create(projectId, {});
      await admin.keys.revoke(projectId, revoked.id);
      expect(await app.request('/invoices', bearer(revoked.key))).toMatchObject({ status: 403, body: { valid: false, error: 'key_revoked' } });

      const disabled = await admin.keys.create(projectId, { enabled: false });
      expect(await app.request('/invoices', bearer(disabled.key))).toMatchObject({ status: 403, body: { valid: false, error: 'key_disabled' } });

      const expired = await admin.keys.create(projectId, {});
      await admin.keys.update(projectId, expired.id, { expiresAt: new Date(Date.now() - 60_000).toISOString() });
      expect(await app.request('/invoices', bearer(expired.key))).toMatchObject({ status: 403, body: { valid: false, error: 'key_expired' } });

      const fenced = await admin.keys.create(projectId, { ipDenylist: ['127.0.0.1'] });
      expect(await app.request('/invoices', bearer(fenced.key))).toMatchObject({ status: 403, body: { valid: false, error: 'ip_not_allowed' } });

      const limited = await admin.keys.create(projectId, { rateLimit: { limit: 1, windowSeconds: 3600 } });
      expect((await app.request('/invoices', bearer(limited.key))).status).toBe(200);
      const refused = await app.request('/invoices', bearer(limited.key));
      expect(refused).toMatchObject({ status: 429, body: { valid: false, error: 'rate_limit_exceeded', retryAfter: expect.any(Number) } });
      expect(refused.headers.get('retry-after')).toBe(String(refused.body.retryAfter));
      expect(refused.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
      expect(refused.headers.get('ratelimit-policy')).toBe('"default";q=1;w=3600');
    } finally {
      await app.close();
    }
  });

  it('scopes per route: requireScopes passes a key with the scope and answers 403 insufficient_scope to one without', async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }) });
    try {
      const writer = await admin.keys.create(projectId, { scopes: ['read:invoices', 'write:*'] });
      const reader = await admin.keys.create(projectId, { scopes: ['read:invoices'] });
      const post = (key: string): RequestInit => ({ method: 'POST', headers: { authorization: `Bearer ${key}` } });
      expect(await app.request('/invoices', post(writer.key))).toMatchObject({ status: 200, body: { id: writer.id, written: true } });
      expect(await app.request('/invoices', post(reader.key))).toMatchObject({ status: 403, body: { valid: false, error: 'insufficient_scope', missingScopes: ['write:invoices'] } });
      expect(await app.request('/invoices', bearer(reader.key))).toMatchObject({ status: 200, body: { id: reader.id } });
    } finally {
      await app.close();
    }
  });

  it('scopes per route granted on the resource only: the engine is asked, at cost 0', async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }) });
    try {
      const onResource = await admin.keys.create(projectId, { resources: { invoices: ['write:invoices'] } });
      expect(await app.request('/invoices', { method: 'POST', ...bearer(onResource.key) })).toMatchObject({ status: 200, body: { written: true } });
      const elsewhere = await admin.keys.create(projectId, { resources: { orders: ['write:invoices'] } });
      expect(await app.request('/invoices', { method: 'POST', ...bearer(elsewhere.key) })).toMatchObject({ status: 403, body: { error: 'insufficient_scope', missingScopes: ['write:invoices'] } });
    } finally {
      await app.close();
    }
  });

  it("a route's scope check spends nothing: a key with a limit of 1 passes both checks", async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }) });
    try {
      const key = await admin.keys.create(projectId, { scopes: ['write:invoices'], rateLimit: { limit: 1, windowSeconds: 3600 } });
      expect(await app.request('/invoices', { method: 'POST', ...bearer(key.key) })).toMatchObject({ status: 200, body: { written: true } });
    } finally {
      await app.close();
    }
  });

  it("kind 'service' verifies service identities and refuses API keys", async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }), kind: 'service' });
    try {
      const service = await admin.services.create(projectId, { name: `svc-${randomUUID().slice(0, 8)}` });
      const key = await admin.keys.create(projectId, {});
      expect(await app.request('/invoices', bearer(service.key))).toMatchObject({ status: 200, body: { id: service.id, service: { id: service.id } } });
      expect(await app.request('/invoices', bearer(key.key))).toMatchObject({ status: 401, body: { error: 'invalid_key' } });
    } finally {
      await app.close();
    }
  });

  it("the client address is the framework's, behind a trusted proxy too", async () => {
    const app = await build({ elyzor: new Elyzor({ baseUrl: elyzor.baseUrl }), trustProxy: true });
    try {
      const key = await admin.keys.create(projectId, { ipAllowlist: ['203.0.113.7'] });
      const from = (address: string): RequestInit => ({ headers: { authorization: `Bearer ${key.key}`, 'x-forwarded-for': address } });
      expect((await app.request('/invoices', from('203.0.113.7'))).status).toBe(200);
      expect(await app.request('/invoices', from('198.51.100.1'))).toMatchObject({ status: 403, body: { error: 'ip_not_allowed' } });
    } finally {
      await app.close();
    }
  });

  it('Elyzor out of reach: 503 by default (fail closed), or onError', async () => {
    const gone = await hangingUp();
    const down = new Elyzor({ baseUrl: gone.baseUrl, retries: { max: 1, baseDelayMs: 1 } });
    const closed = await build({ elyzor: down });
    const handled = await build({ elyzor: down, onError: true });
    try {
      expect(await closed.request('/invoices', bearer('sk_live_AAAAAAAAAAAAAAAA.abc'))).toMatchObject({ status: 503, body: { error: 'service_unavailable' } });
      expect(await handled.request('/invoices', bearer('sk_live_AAAAAAAAAAAAAAAA.abc'))).toMatchObject({ status: 500, body: { handled: true } });
    } finally {
      await closed.close();
      await handled.close();
      await gone.close();
    }
  });
});
