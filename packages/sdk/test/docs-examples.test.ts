import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Elyzor, ElyzorError } from '../src/index.js';
import { listenOn, startElyzor, type RunningElyzor } from './helpers.js';

/**
 * The examples of docs/sdk.md, run as they are written: each `<!-- example: name -->` block is
 * written to a module (the package's imports pointed at its sources, `http://localhost:3000` at a
 * real Elyzor) and imported; what it logs is checked, and the apps of the middleware examples
 * answer requests.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const page = readFileSync(join(here, '../../../docs/sdk.md'), 'utf8');
const examples = new Map([...page.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
const dir = join(here, `.examples-${process.pid}`);
let elyzor: RunningElyzor;

beforeAll(async () => {
  elyzor = await startElyzor();
  // The page's account. A database kept between runs (PostgreSQL) may hold it already.
  await new Elyzor({ baseUrl: elyzor.baseUrl }).auth.register('you@example.com', 'yourpassword').catch(async (error: unknown) => {
    if (!(error instanceof ElyzorError && error.code === 'validation_error')) throw error;
    await new Elyzor({ baseUrl: elyzor.baseUrl }).auth.login('you@example.com', 'yourpassword');
  });
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await elyzor?.close();
});

/** Runs one example; returns what it logged and what it defined as `app`. */
async function run(name: string): Promise<{ logs: unknown[][]; app: unknown }> {
  const source = examples.get(name);
  if (source === undefined) throw new Error(`docs/sdk.md has no example "${name}"`);
  const code = source
    .replace(/'@elyzor\/sdk\/(express|fastify|hono)'/g, (_m, entry: string) => `'../../src/middleware/${entry}.js'`)
    .replace(/'@elyzor\/sdk'/g, `'../../src/index.js'`)
    .replaceAll('http://localhost:3000', elyzor.baseUrl);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, /\bconst app = /.test(code) ? `${code}\nexport { app };\n` : `${code}\nexport {};\n`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const module = (await import(/* @vite-ignore */ file)) as { app?: unknown };
    return { logs: log.mock.calls, app: module.app };
  } finally {
    log.mockRestore();
  }
}

async function issuedKey(scopes: string[]): Promise<{ key: string; ownerId: string }> {
  const admin = new Elyzor({ baseUrl: elyzor.baseUrl });
  await admin.auth.login('you@example.com', 'yourpassword');
  const project = await admin.projects.create({ name: 'docs' });
  const { key } = await admin.keys.create(project.id, { scopes, ownerId: 'cus_42' });
  return { key, ownerId: 'cus_42' };
}

describe('docs/sdk.md examples', () => {
  it('every example on the page is run here', () => {
    expect([...examples.keys()].sort()).toEqual(['client', 'errors', 'express', 'fastify', 'hono', 'pages', 'teams', 'tokens', 'webhook']);
  });

  it('the client: login, project, key, verify', async () => {
    const { logs } = await run('client');
    expect(logs).toEqual([[expect.any(String), 99]]);
  });

  it('errors', async () => {
    expect((await run('errors')).logs).toEqual([[400, 'validation_error', expect.any(String)]]);
  });

  it('tokens, stored and refreshed', async () => {
    expect((await run('tokens')).logs).toEqual([['you@example.com']]);
  });

  it('pages and the CSV export', async () => {
    const { logs } = await run('pages');
    expect(logs[0]).toEqual([expect.stringMatching(/^sk_live_/), 'active']);
    expect(logs[1]).toEqual([1]);
    expect(logs[2]?.[0]).toMatch(/^id,createdAt,action/);
  });

  it('teams: a workspace, an invitation, a root key limited to its permissions', async () => {
    expect((await run('teams')).logs).toEqual([[true], [true], [403, 'forbidden']]);
  });

  it('webhook verification', async () => {
    expect((await run('webhook')).logs).toEqual([['key.revoked'], [true]]);
  });

  it('the Express example protects its routes', async () => {
    const { app } = await run('express');
    const server = (app as { listen(port: number, host: string): Server }).listen(0, '127.0.0.1');
    try {
      const base = await listenOn(server);
      const { key } = await issuedKey(['read:invoices']);
      expect(await (await fetch(`${base}/invoices`, { headers: { authorization: `Bearer ${key}` } })).json()).toEqual({ customer: 'cus_42' });
      expect((await fetch(`${base}/invoices`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
      expect((await fetch(`${base}/invoices`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('the Fastify example protects its routes', async () => {
    const { app } = await run('fastify');
    const fastify = app as { inject(o: { method: string; url: string; headers?: Record<string, string> }): Promise<{ statusCode: number; json(): unknown }>; close(): Promise<void> };
    try {
      const { key } = await issuedKey(['write:invoices']);
      const get = await fastify.inject({ method: 'GET', url: '/invoices', headers: { 'x-api-key': key } });
      expect([get.statusCode, get.json()]).toEqual([200, { customer: 'cus_42' }]);
      expect((await fastify.inject({ method: 'POST', url: '/invoices', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    } finally {
      await fastify.close();
    }
  });

  it('the Hono example protects its routes', async () => {
    const { app } = await run('hono');
    const hono = app as { request(path: string, init?: RequestInit): Promise<Response> };
    const { key } = await issuedKey(['read:invoices']);
    expect(await (await hono.request('/invoices', { headers: { authorization: `Bearer ${key}` } })).json()).toEqual({ customer: 'cus_42' });
    expect(await (await hono.request('/invoices', { method: 'POST', headers: { authorization: `Bearer ${key}` } })).json()).toMatchObject({ error: 'insufficient_scope' });
  });
});
