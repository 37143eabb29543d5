import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, type Type } from '@nestjs/common';
import { Elyzor, verifyWebhook } from '@elyzor/sdk';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiKeyAuth, ApiKeyService } from '../src/index.js';
import { startElyzor, type RunningElyzor } from '../../sdk/test/helpers.js';
import { call, defined, startNest } from './helpers.js';
import { startReceiver } from './webhook-receiver.js';
import { pgliteDataSource } from '../../keys/test/helpers/typeorm.js';

/**
 * The examples of docs/nest.md, run as written: each `<!-- example: name -->` block becomes a
 * module (the package's import pointed at its sources, `http://localhost:3000` at a real Elyzor),
 * whose AppModule is started as a Nest app and asked.
 */
@Controller('ping')
class PingController {
  @Get()
  @ApiKeyAuth()
  ping(): unknown {
    return {};
  }
}

const here = fileURLToPath(new URL('.', import.meta.url));
const page = readFileSync(join(here, '../../../docs/nest.md'), 'utf8');
const examples = new Map([...page.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
const dir = join(here, `.examples-${process.pid}`);

beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load<T>(name: string, baseUrl = ''): Promise<T> {
  const source = examples.get(name);
  if (source === undefined) throw new Error(`docs/nest.md has no example "${name}"`);
  const code = source.replace(/'@elyzor\/nest'/g, `'../../src/index.js'`).replaceAll('http://localhost:3000', baseUrl);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, /\nconst app = /.test(code) ? `${code}\nexport { app, keys, token };\n` : code);
  return (await import(/* @vite-ignore */ file)) as T;
}

describe('docs/nest.md', () => {
  it('has the examples this suite runs', () => {
    expect([...examples.keys()].sort()).toEqual(['async', 'express', 'local', 'remote', 'services', 'typeorm']);
  });

  it('local: scopes, @CurrentApiKey and the endpoint limit', async () => {
    const { AppModule, KeysService } = await load<{ AppModule: Type; KeysService: Type<{ issue(name: string, scopes: string[]): Promise<{ token: string }> }> }>('local');
    const nest = await startNest([AppModule]);
    try {
      const reader = await nest.get(KeysService).issue('reader', ['read:projects']);
      const writer = await nest.get(KeysService).issue('writer', ['read:projects', 'write:projects']);
      const headers = (token: string) => ({ headers: { 'x-api-key': token } });
      expect((await call(`${nest.baseUrl}/projects`, headers(reader.token))).body).toEqual({ calledBy: 'reader' });
      expect((await call(`${nest.baseUrl}/projects`, { method: 'POST', ...headers(reader.token) })).status).toBe(403);
      for (let i = 0; i < 10; i++) expect((await call(`${nest.baseUrl}/projects`, { method: 'POST', ...headers(writer.token) })).status).toBe(201);
      expect((await call(`${nest.baseUrl}/projects`, { method: 'POST', ...headers(writer.token) })).status).toBe(429);
      expect((await call(`${nest.baseUrl}/projects`)).status).toBe(401);
    } finally {
      await nest.close();
    }
  });

  it('async: the header name comes from ConfigService', async () => {
    process.env.API_KEY_HEADER = 'x-docs-key';
    try {
      const { AppModule } = await load<{ AppModule: Type }>('async');
      const nest = await startNest([AppModule], [PingController]);
      try {
        const { token } = await nest.get(ApiKeyService).create({ name: 'configured' });
        expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-docs-key': token } })).status).toBe(200);
        expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token } })).status).toBe(401);
      } finally {
        await nest.close();
      }
    } finally {
      delete process.env.API_KEY_HEADER;
    }
  });

  it("typeorm: nest-api-key-auth's setup, on PGlite served on a port", async () => {
    const db = await pgliteDataSource(); // creates the api_keys table from ApiKeyEntity
    const { host, port } = db.dataSource.options as { host: string; port: number };
    process.env.DATABASE_URL = `postgres://postgres@${host}:${port}/postgres`;
    try {
      const { AppModule } = await load<{ AppModule: Type }>('typeorm');
      const nest = await startNest([AppModule], [PingController]);
      try {
        const { token } = await nest.get(ApiKeyService).create({ name: 'typeorm' });
        expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token } })).status).toBe(200);
        expect((await db.dataSource.query('SELECT name, "keyPrefix" FROM api_keys')) as unknown[]).toEqual([{ name: 'typeorm', keyPrefix: '' }]);
      } finally {
        await nest.close();
      }
    } finally {
      delete process.env.DATABASE_URL;
      await db.close();
    }
  });

  it('express: the middleware and its service', async () => {
    const { app, token } = await load<{ app: Express; token: string }>('express');
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await call(`${base}/api/projects`, { headers: { 'x-api-key': token } })).body).toEqual({ calledBy: 'express-client' });
      expect((await call(`${base}/api/projects`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('services: quota, IP rules, restore, the audit log and signed webhooks', async () => {
    interface KeyDesk {
      issue(name: string): Promise<{ id: string; token: string }>;
      usage(keyId: string): Promise<{ used: number; limit: number } | null>;
      block(keyId: string, address: string): Promise<unknown>;
      undoRevoke(keyId: string): Promise<{ state: string }>;
      requests(keyId: string): Promise<Array<{ path: string; success: boolean }>>;
    }
    const receiver = await startReceiver();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    process.env.KEY_EVENTS_URL = receiver.url;
    process.env.KEY_EVENTS_SECRET = secret;
    try {
      const { AppModule, KeyDesk } = await load<{ AppModule: Type; KeyDesk: Type<KeyDesk> }>('services');
      const nest = await startNest([AppModule], [PingController]);
      try {
        const desk = nest.get(KeyDesk);
        const key = await desk.issue('desk');
        const ping = (): Promise<number> => call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': key.token } }).then((r) => r.status);
        expect(await ping()).toBe(200);
        expect(await desk.usage(key.id)).toMatchObject({ used: 1, limit: 1000 });
        expect(await desk.requests(key.id)).toMatchObject([{ path: '/ping', success: true }]);
        await desk.block(key.id, '127.0.0.1');
        expect(await ping()).toBe(403);
        await nest.get(ApiKeyService).revoke(key.id);
        expect((await desk.undoRevoke(key.id)).state).toBe('active');
        await vi.waitFor(() => expect(receiver.of('key.restored', key.id)).toHaveLength(1));
        const created = defined(receiver.of('key.created', key.id)[0], 'a key.created delivery');
        await expect(verifyWebhook(created.body, created.headers as Record<string, string>, secret)).resolves.toMatchObject({ event: 'key.created' });
      } finally {
        await nest.close();
      }
    } finally {
      delete process.env.KEY_EVENTS_URL;
      delete process.env.KEY_EVENTS_SECRET;
      await receiver.close();
    }
  });

  describe('remote, against a real Elyzor', () => {
    let elyzor: RunningElyzor;
    beforeAll(async () => {
      elyzor = await startElyzor();
      const admin = new Elyzor({ baseUrl: elyzor.baseUrl });
      await admin.auth.register(`docs-${randomUUID()}@example.com`, 'correct horse battery');
      const project = await admin.projects.create({ name: 'docs-remote' });
      const actions = ['read_key', 'create_key', 'update_key', 'rotate_key', 'revoke_key'];
      const root = await admin.rootKeys.create(project.workspaceId, { name: 'docs', permissions: actions.map((a) => `project.${project.id}.${a}`) });
      process.env.ELYZOR_ROOT_KEY = root.key;
      process.env.ELYZOR_PROJECT_ID = project.id;
    });
    afterAll(async () => {
      delete process.env.ELYZOR_ROOT_KEY;
      delete process.env.ELYZOR_PROJECT_ID;
      await elyzor?.close();
    });

    it('keys issued through the module are verified by Elyzor', async () => {
      const { AppModule } = await load<{ AppModule: Type }>('remote', elyzor.baseUrl);
      const nest = await startNest([AppModule]);
      try {
        const reader = await nest.get(ApiKeyService).create({ name: 'reader', scopes: ['read:invoices'] });
        const other = await nest.get(ApiKeyService).create({ name: 'other' });
        expect(reader.token).toMatch(/^sk_live_/);
        expect((await call(`${nest.baseUrl}/invoices`, { headers: { 'x-api-key': reader.token } })).status).toBe(200);
        expect((await call(`${nest.baseUrl}/invoices`, { headers: { 'x-api-key': other.token } })).status).toBe(403);
      } finally {
        await nest.close();
      }
    });
  });
});
