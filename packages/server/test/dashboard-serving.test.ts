import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../src/http/dashboard.js';
import { startApp, type TestApp } from './helpers/harness.js';

/**
 * The dashboard as Elyzor serves it: its files under /dashboard/, index.html for client routes,
 * the CSP on every answer, `/` redirecting there; off with DASHBOARD=false or without a build.
 * A stand-in build (index.html and one asset) keeps this suite independent of Vite.
 */
let dir: string;
const INDEX = '<!doctype html><html><head><script type="module" src="/dashboard/assets/app-1234.js"></script></head><body><div id="root"></div></body></html>';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elyzor-dashboard-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log("dashboard")');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('served at /dashboard/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { DASHBOARD_DIR: dir } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/ redirects a browser to /dashboard/, which is the app with its CSP (no inline script)', async () => {
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/dashboard/');
    const page = await t.app.inject({ method: 'GET', url: '/dashboard/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toBe(INDEX);
    expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('client routes get index.html; assets are served, cached for good; a missing file is a 404', async () => {
    for (const url of ['/dashboard', '/dashboard/sign-in', '/dashboard/projects/0b6c3f5e-4d5a-4e1e-9d4f-1f2e3d4c5b6a/keys?status=active']) {
      const page = await t.app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toBe(INDEX);
      expect(page.headers['content-security-policy'], url).toBe(DASHBOARD_CSP);
    }
    const asset = await t.app.inject({ method: 'GET', url: '/dashboard/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await t.app.inject({ method: 'GET', url: '/dashboard/assets/nope-1.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'not_found' });
    const traversal = await t.app.inject({ method: 'GET', url: '/dashboard/..%2f..%2fpackage.json' });
    expect(traversal.statusCode).toBe(404);
    const post = await t.app.inject({ method: 'POST', url: '/dashboard/sign-in', payload: {} });
    expect(post.statusCode).toBe(404);
  });

  it('docs/dashboard.md: each ```http example gets that status and those headers', async () => {
    const page = await readFile(fileURLToPath(new URL('../../../docs/dashboard.md', import.meta.url)), 'utf8');
    const examples = [...page.matchAll(/```http\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      const [request = '', answer = ''] = example.trim().split(/\n\s*\n/);
      const [method = '', url = ''] = request.trim().split(' ');
      const [status = '', ...headers] = answer.trim().split('\n');
      const response = await t.app.inject({ method: method as 'GET', url });
      expect(response.statusCode, request).toBe(Number(status));
      for (const line of headers) {
        const at = line.indexOf(':');
        expect(response.headers[line.slice(0, at).trim()], `${request}: ${line}`).toBe(line.slice(at + 1).trim());
      }
    }
  });

  it('the API is untouched: /v1 answers JSON without the dashboard’s headers', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/v1/health' });
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-security-policy']).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: '/v1/nothing' })).json()).toMatchObject({ error: 'not_found' });
  });
});

describe('not served', () => {
  // Started in hooks: an app's start is the slow part, and hooks have the longer timeout.
  let off: TestApp;
  let unbuilt: TestApp;
  beforeAll(async () => {
    off = await startApp({ env: { DASHBOARD_DIR: dir, DASHBOARD: 'false' } });
    unbuilt = await startApp({ env: { DASHBOARD_DIR: join(dir, 'missing') }, logLevel: 'warn' });
  });
  afterAll(async () => {
    await off?.close();
    await unbuilt?.close();
  });

  it('DASHBOARD=false: /dashboard/ and / are 404s', async () => {
    expect((await off.app.inject({ method: 'GET', url: '/dashboard/' })).statusCode).toBe(404);
    expect((await off.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
  });

  it('without a build: the server starts, says so in a warning, and answers the API', async () => {
    expect((await unbuilt.app.inject({ method: 'GET', url: '/dashboard/' })).statusCode).toBe(404);
    expect((await unbuilt.app.inject({ method: 'GET', url: '/v1/health' })).statusCode).toBe(200);
    expect(unbuilt.logs.some((line) => line.includes('dashboard not served'))).toBe(true);
  });

  it('DASHBOARD must be true or false', async () => {
    await expect(startApp({ env: { DASHBOARD: 'maybe' } })).rejects.toThrow(/DASHBOARD must be true or false/);
  });
});

