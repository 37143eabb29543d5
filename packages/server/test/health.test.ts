import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, startApp, type TestApp } from './helpers/harness.js';

/** What Redis reports when everything is up: the embedded backends run without it. */
const redisWhenHealthy = backend === 'embedded' ? 'disabled' : 'ok';

describe(`health (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 200 ok, probing the database and Redis, without authentication', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/health' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ status: 'ok', database: 'ok', redis: redisWhenHealthy });
  });

  it('ignores credentials: a bogus token does not turn the health check into a 401', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/health', headers: bearer('not-a-token') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('answers 503 degraded naming the database when the database is down', async () => {
    // A dedicated instance: its database is closed under it, which the shared one must not suffer.
    const broken = await startApp();
    try {
      expect((await broken.app.inject({ method: 'GET', url: '/v1/health' })).statusCode).toBe(200);
      await broken.deps.database.close();
      const response = await broken.app.inject({ method: 'GET', url: '/v1/health' });
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json()).toMatchObject({ status: 'degraded', database: 'error', redis: redisWhenHealthy });
      // No internals leak into the answer.
      expect(response.body).not.toMatch(/destroyed|Error:|at \w+ \(|stack/i);
    } finally {
      // The database is already gone, so closing may complain; that is expected here.
      await broken.close().catch(() => undefined);
    }
  });
});
