import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '@elyzor/core';
import type { RequestListener } from 'node:http';
import type { LightMyRequestResponse } from 'fastify';
import { inject } from 'light-my-request';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createDeps, type OwnedDeps } from '../../src/create-deps.js';
import type { App } from '../../src/http/types.js';
import { embeddedTemplate } from './embedded-template.js';

/**
 * Starts the real app on the backend this test project selects: `embedded` (in-memory PGlite,
 * in-process limits) or `real` (TEST_DATABASE_URL + TEST_REDIS_URL). With `real`, a missing
 * variable or an unreachable server fails the suite; it never falls back.
 */
export const backend: 'embedded' | 'real' = process.env.ELYZOR_TEST_BACKEND === 'real' ? 'real' : 'embedded';

export interface TestApp {
  app: App;
  deps: OwnedDeps;
  config: Config;
  /** Log lines the app wrote (JSON strings), for tests that inspect logs. */
  logs: string[];
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment-style overrides of the configuration (e.g. `{ RATE_LIMIT_DEFAULT: '5' }`). */
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a Redis prefix to make two apps share limits and the bus (multi-instance tests). */
  redisPrefix?: string;
  logLevel?: string;
}

export function realBackendEnv(): { DATABASE_URL: string; REDIS_URL: string } {
  const db = process.env.TEST_DATABASE_URL;
  const redis = process.env.TEST_REDIS_URL;
  if (db === undefined || redis === undefined) {
    throw new Error('ELYZOR_TEST_BACKEND=real needs both TEST_DATABASE_URL and TEST_REDIS_URL');
  }
  return { DATABASE_URL: db, REDIS_URL: redis };
}

/** The listener a socket's requests reach: the verify lane first, then Fastify's router. */
export function serverListener(app: App): RequestListener {
  const listener = app.server.listeners('request')[0];
  if (typeof listener !== 'function') throw new Error('the app has no request listener');
  return listener as RequestListener;
}

/**
 * Makes `app.inject` enter where a socket's request does (the server's request listener), so
 * every suite exercises the verify lane as well as Fastify. Fastify's own `inject` would go
 * straight to its router and skip the lane.
 */
function throughServer(app: App): void {
  const listener = serverListener(app);
  Object.defineProperty(app, 'inject', { value: (options: Parameters<typeof inject>[1]) => inject(listener, options) });
}

export async function startApp(options: StartOptions = {}): Promise<TestApp> {
  const config = parseConfig({
    NODE_ENV: 'test',
    JWT_SECRET: randomBytes(32).toString('hex'),
    // Generous address limits: tests of the IP limits lower them explicitly.
    IP_RATE_LIMIT_AUTH: '1000000',
    IP_RATE_LIMIT_VERIFY: '100000000',
    IP_RATE_LIMIT_VERIFY_FAILURES: '100000000',
    USAGE_FLUSH_INTERVAL_MS: '50',
    // Background work runs when a test drives it (`deps.webhookWorker.runOnce()`, …): no suite
    // sends webhooks, or announces expiries, that it did not ask for.
    WEBHOOK_POLL_INTERVAL_MS: '0',
    EXPIRY_MONITOR_INTERVAL_MS: '0',
    WEBHOOK_PRUNE_INTERVAL_MS: '0',
    ...(backend === 'real' ? realBackendEnv() : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const logger = pino(
    { level: options.logLevel ?? 'info' },
    { write: (line: string) => void logs.push(line) },
  );
  // An explicit DATA_DIR keeps the embedded database on disk (restart tests); otherwise in
  // memory, started from a migrated template.
  const inMemory = options.env?.DATA_DIR === undefined;
  const deps = await createDeps(config, {
    logger,
    inMemory,
    ...(inMemory && config.databaseUrl === undefined ? { databaseTemplate: await embeddedTemplate() } : {}),
    redisPrefix: options.redisPrefix ?? `elyzor-test:${randomUUID()}:`,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
  const app = await buildApp(deps, { logger });
  await app.ready();
  throughServer(app);
  return {
    app,
    deps,
    config,
    logs,
    async close() {
      await app.close();
      await deps.close();
    },
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  /** The refresh token from the Set-Cookie header. */
  refreshToken: string;
}

export function refreshCookieOf(response: LightMyRequestResponse): string | undefined {
  const cookie = response.cookies.find((c) => c.name === 'refreshToken');
  return cookie?.value;
}

export async function registerUser(app: App, email = `user-${randomUUID()}@example.com`, password = 'correct horse battery'): Promise<TestUser> {
  const response = await app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password } });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  const body = json<{ user: { id: string }; accessToken: string }>(response);
  return { id: body.user.id, email, password, accessToken: body.accessToken, refreshToken: refreshCookieOf(response) ?? '' };
}

export async function createProject(app: App, token: string, name = 'test-project'): Promise<{ id: string; name: string; createdAt: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(token), payload: { name } });
  if (response.statusCode !== 201) throw new Error(`create project failed: ${response.statusCode} ${response.body}`);
  return json(response);
}

export interface IssuedCredential {
  id: string;
  key: string;
  [field: string]: unknown;
}

export async function createKey(app: App, token: string, projectId: string, body: Record<string, unknown> = {}): Promise<IssuedCredential> {
  const response = await app.inject({ method: 'POST', url: `/v1/projects/${projectId}/keys`, headers: bearer(token), payload: body });
  if (response.statusCode !== 201) throw new Error(`create key failed: ${response.statusCode} ${response.body}`);
  return json(response);
}

export async function createService(app: App, token: string, projectId: string, name = `svc-${randomUUID().slice(0, 8)}`, body: Record<string, unknown> = {}): Promise<IssuedCredential> {
  const response = await app.inject({ method: 'POST', url: `/v1/projects/${projectId}/services`, headers: bearer(token), payload: { name, ...body } });
  if (response.statusCode !== 201) throw new Error(`create service failed: ${response.statusCode} ${response.body}`);
  return json(response);
}

/** A webhook (to an https address that never resolves, RFC 2606) with one queued test delivery. */
export async function createWebhook(app: App, token: string, projectId: string): Promise<{ id: string; secret: string; deliveryId: string }> {
  const response = await app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(token), payload: { url: 'https://webhooks.example.invalid/hook', events: ['key.created'] } });
  if (response.statusCode !== 201) throw new Error(`create webhook failed: ${response.statusCode} ${response.body}`);
  const webhook = json<{ id: string; secret: string }>(response);
  await app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks/${webhook.id}/test`, headers: bearer(token) });
  const deliveries = await app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/${webhook.id}/deliveries`, headers: bearer(token) });
  return { ...webhook, deliveryId: json<Array<{ id: string }>>(deliveries)[0]?.id ?? '' };
}

export function verifyKey(app: App, key: string, body?: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(key), ...(body !== undefined ? { payload: body } : {}) });
}

export function verifyService(app: App, key: string, body?: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/verify/service', headers: bearer(key), ...(body !== undefined ? { payload: body } : {}) });
}

/** One user with one project: the starting point of most suites. */
export async function userWithProject(app: App): Promise<{ user: TestUser; projectId: string }> {
  const user = await registerUser(app);
  const project = await createProject(app, user.accessToken);
  return { user, projectId: project.id };
}
