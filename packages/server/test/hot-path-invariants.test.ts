import { randomUUID } from 'node:crypto';
import { generateCredential } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, createService, registerUser, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

/**
 * What the verification speed-ups (in-process cache, negative entries, batched usage) must not
 * break: a change is seen on the very next request, and no usage record is lost.
 */
describe(`hot path invariants (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a revoked key on the next request even with a warm cache', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    for (let i = 0; i < 3; i++) expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    const publicId = key.key.slice('sk_live_'.length, 'sk_live_'.length + 16);
    expect(t.deps.cache.peek(publicId)).not.toBeUndefined();
    await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) });
    expect((await verifyKey(t.app, key.key)).json()).toEqual({ valid: false, error: 'key_revoked' });
  });

  it('applies disabling, rotation and project deletion on the next request with a warm cache', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const service = await createService(t.app, user.accessToken, projectId);
    expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);

    await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken), payload: { enabled: false } });
    expect((await verifyKey(t.app, key.key)).json()).toMatchObject({ error: 'key_disabled' });
    await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken), payload: { enabled: true } });
    expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);

    const rotated = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/keys/${key.id}/rotate`, headers: bearer(user.accessToken) });
    expect(rotated.statusCode).toBe(201);
    expect((await verifyKey(t.app, key.key)).json()).toEqual({ valid: false, error: 'key_revoked' });
    const next = rotated.json<{ key: string }>().key;
    expect((await verifyKey(t.app, next)).statusCode).toBe(200);

    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}`, headers: bearer(user.accessToken) })).statusCode).toBe(204);
    expect((await verifyKey(t.app, next)).json()).toEqual({ valid: false, error: 'invalid_key' });
    expect((await verifyService(t.app, service.key)).json()).toEqual({ valid: false, error: 'invalid_key' });
  });

  it('remembers unknown keys without asking the database again, and forgets when that id is created', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const planned = generateCredential('sk');
    // The unknown key is looked up once, then answered from the negative entry.
    expect((await verifyKey(t.app, planned.token)).statusCode).toBe(401);
    expect(t.deps.cache.peek(planned.publicId)).toBeNull();
    expect((await verifyKey(t.app, planned.token)).statusCode).toBe(401);

    // Creating a credential with exactly that public id clears the negative entry at once.
    const original = t.deps.generateCredential;
    t.deps.generateCredential = () => planned;
    try {
      await createKey(t.app, user.accessToken, projectId);
    } finally {
      t.deps.generateCredential = original;
    }
    expect((await verifyKey(t.app, planned.token)).statusCode).toBe(200);
  });

  it('writes every usage record when the service stops', async () => {
    const own = await startApp({ env: { USAGE_FLUSH_INTERVAL_MS: '60000' } });
    try {
      const { user, projectId } = await userWithProject(own.app);
      const key = await createKey(own.app, user.accessToken, projectId);
      const results = await Promise.all(Array.from({ length: 40 }, () => verifyKey(own.app, key.key)));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      // Nothing has been flushed by the timer (a minute away): the records wait in the buffer.
      expect(own.deps.usage.size).toBe(40);
      await own.deps.usage.close();
      const row = await own.deps.db
        .selectFrom('usage_counts')
        .select(({ fn }) => fn.sum<string | null>('count').as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
      expect(Number(row.n)).toBe(40);
    } finally {
      await own.close();
    }
  });
});

describe.runIf(backend === 'real')('two instances on one PostgreSQL and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    a = await startApp({ redisPrefix, env: { RATE_LIMIT_DEFAULT: '100' } });
    // Same signing secret, so a token from one instance works on the other.
    b = await startApp({ redisPrefix, env: { RATE_LIMIT_DEFAULT: '100', JWT_SECRET: a.config.jwtSecret ?? '' } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('refuses on one instance a key revoked through the other, on the next request', async () => {
    const user = await registerUser(a.app);
    const project = await a.app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(user.accessToken), payload: { name: 'p' } });
    const projectId = project.json<{ id: string }>().id;
    for (let i = 0; i < 10; i++) {
      const key = await createKey(a.app, user.accessToken, projectId);
      expect((await verifyKey(b.app, key.key)).statusCode).toBe(200);
      await a.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) });
      expect((await verifyKey(b.app, key.key)).json()).toEqual({ valid: false, error: 'key_revoked' });
    }
  });

  it('shares one rate limit across both instances exactly', async () => {
    const user = await registerUser(a.app);
    const project = await a.app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(user.accessToken), payload: { name: 'p' } });
    const key = await createKey(a.app, user.accessToken, project.json<{ id: string }>().id);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => verifyKey(i % 2 === 0 ? a.app : b.app, key.key)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(100);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(200);
  });
});
