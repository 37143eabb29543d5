import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { MemoryStore } from '@elyzor/keys/memory';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKeyMiddleware, type ApiKey, type ApiKeyService } from '../src/index.js';
import { call } from './helpers.js';
import { startReceiver } from './webhook-receiver.js';

/** The middleware in a plain Express app (no Nest), listening on a port. */
let server: Server;
let baseUrl: string;
let service: ApiKeyService;

beforeAll(async () => {
  const app = express();
  const storage = new MemoryStore();
  const apiKeyMiddleware = createApiKeyMiddleware({ adapter: 'custom', customAdapter: storage, headerName: 'x-api-key' });
  const adminOnly = createApiKeyMiddleware({ adapter: 'custom', customAdapter: storage, scopes: ['admin:read'] });
  app.use('/api', apiKeyMiddleware);
  app.get('/api/projects', (req, res) => {
    const apiKey = (req as unknown as { apiKey: ApiKey }).apiKey;
    res.json({ id: apiKey.id, name: apiKey.name });
  });
  app.get('/admin', adminOnly, (_req, res) => {
    res.json({ admin: true });
  });
  app.get('/public', (_req, res) => {
    res.json({ public: true });
  });
  service = await apiKeyMiddleware.service();
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createApiKeyMiddleware in a plain Express app', () => {
  it('puts the key on req.apiKey, from the header, Bearer, query or cookie', async () => {
    const key = await service.create({ name: 'express' });
    for (const init of <RequestInit[]>[
      { headers: { 'x-api-key': key.token } },
      { headers: { authorization: `Bearer ${key.token}` } },
      { headers: { cookie: `api_key=${key.token}` } },
    ]) {
      expect((await call(`${baseUrl}/api/projects`, init)).body).toEqual({ id: key.id, name: 'express' });
    }
    expect((await call(`${baseUrl}/api/projects?api_key=${key.token}`)).body).toEqual({ id: key.id, name: 'express' });
    expect((await call(`${baseUrl}/public`)).status).toBe(200);
  });

  it('refuses with the statuses of the guards', async () => {
    expect((await call(`${baseUrl}/api/projects`)).body).toMatchObject({ statusCode: 401, code: 'missing_api_key' });
    const revoked = await service.create({ name: 'revoked' });
    await service.revoke(revoked.id);
    expect((await call(`${baseUrl}/api/projects`, { headers: { 'x-api-key': revoked.token } })).body).toMatchObject({ statusCode: 401, code: 'key_revoked' });
    const limited = await service.create({ name: 'limited', rateLimitMax: 1, rateLimitWindowMs: 60000 });
    expect((await call(`${baseUrl}/api/projects`, { headers: { 'x-api-key': limited.token } })).status).toBe(200);
    const refused = await call(`${baseUrl}/api/projects`, { headers: { 'x-api-key': limited.token } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('with scopes, refuses a key lacking one with 403', async () => {
    const plain = await service.create({ name: 'plain' });
    const admin = await service.create({ name: 'admin', scopes: ['admin:read'] });
    expect((await call(`${baseUrl}/admin`, { headers: { 'x-api-key': plain.token } })).body).toMatchObject({ statusCode: 403, code: 'insufficient_scope' });
    expect((await call(`${baseUrl}/admin`, { headers: { 'x-api-key': admin.token } })).status).toBe(200);
  });

  it('a malformed option throws at once, naming it', () => {
    expect(() => createApiKeyMiddleware({ adapter: 'memory', secretLength: 2 })).toThrow('option "secretLength"');
  });
});

describe('createApiKeyMiddleware with the module options of the services', () => {
  it('announces its keys to the webhooks, and logs each request to onLog', async () => {
    const receiver = await startReceiver();
    const entries: Array<{ keyId: string; path: string; success: boolean }> = [];
    const middleware = createApiKeyMiddleware({
      adapter: 'memory',
      enableWebhooks: true,
      webhooks: [{ url: receiver.url, secret: 'express-secret', events: ['key.created'] }],
      enableAuditLogging: true,
      auditLogOptions: { logToConsole: false, onLog: (entry) => void entries.push(entry) },
    });
    const app = express();
    app.get('/logged', middleware, (_req, res) => {
      res.json({ ok: true });
    });
    const logged: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const key = await (await middleware.service()).create({ name: 'announced' });
      await vi.waitFor(() => expect(receiver.of('key.created', key.id)).toHaveLength(1));
      const base = `http://127.0.0.1:${(logged.address() as AddressInfo).port}`;
      expect((await call(`${base}/logged?api_key=${key.token}`)).status).toBe(200);
      expect((await call(`${base}/logged`)).status).toBe(401);
      expect(entries).toMatchObject([
        { keyId: key.id, path: '/logged', success: true },
        { keyId: 'unknown', path: '/logged', success: false },
      ]);
      expect(JSON.stringify(entries)).not.toContain(key.token);
    } finally {
      await new Promise((resolve) => logged.close(resolve));
      await receiver.close();
    }
  });
});
