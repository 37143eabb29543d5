import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorAnswer } from '../src/http/errors.js';
import { backend, bearer, startApp, userWithProject, type TestApp } from './helpers/harness.js';

describe(`heavy reads (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { HEAVY_READS_PER_USER: '2', HEAVY_READ_TIMEOUT_MS: '200' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a third read at once from one user with 429 and Retry-After, and not another user', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const other = await userWithProject(t.app);
    // Two reads of this user under way (held at the gate: on PGlite a read held open inside
    // its transaction would hold the one connection, and every other request with it).
    const leaves = [0, 1].map(() => t.deps.heavyReads.gate.enter(user.id));
    expect(leaves).not.toContain(null);
    try {
      for (const url of [`/v1/projects/${projectId}/stats`, `/v1/projects/${projectId}/audit?format=csv`]) {
        const refused = await t.app.inject({ method: 'GET', url, headers: bearer(user.accessToken) });
        expect(refused.statusCode, url).toBe(429);
        expect(refused.json()).toMatchObject({ error: 'too_many_requests' });
        expect(refused.headers['retry-after']).toBe('1');
      }
      const theirs = await t.app.inject({ method: 'GET', url: `/v1/projects/${other.projectId}/stats`, headers: bearer(other.user.accessToken) });
      expect(theirs.statusCode).toBe(200);
    } finally {
      for (const leave of leaves) leave?.();
    }
    const again = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/stats`, headers: bearer(user.accessToken) });
    expect(again.statusCode).toBe(200);
  });

  it.runIf(backend === 'real')('cuts a statement short at HEAVY_READ_TIMEOUT_MS, which answers 503, never 500', async () => {
    const { user } = await userWithProject(t.app);
    const error = await t.deps.heavyReads.run(user.id, (db) => sql`select pg_sleep(5)`.execute(db)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: '57014' });
    expect(errorAnswer(error, false)).toMatchObject({ code: 'service_unavailable', retryAfter: 5 });
  });
});
