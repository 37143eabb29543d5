import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend,
  bearer,
  createKey,
  createProject,
  createService,
  registerUser,
  startApp,
  userWithProject,
  verifyKey,
  verifyService,
  type TestApp,
} from './helpers/harness.js';

type Response = Awaited<ReturnType<TestApp['app']['inject']>>;

interface ProjectBody {
  id: string;
  name: string;
  createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The target of `Link: <url>; rel="next"`, or undefined when there is no next page. */
function nextLink(header: string | string[] | number | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return /<([^>]+)>;\s*rel="next"/.exec(header)?.[1];
}

describe(`projects (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const list = (token: string, query = ''): Promise<Response> =>
    t.app.inject({ method: 'GET', url: `/v1/projects${query}`, headers: bearer(token) });
  const create = (token: string, payload: unknown): Promise<Response> =>
    t.app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(token), payload: payload as Record<string, unknown> });
  const rename = (token: string, id: string, payload: unknown): Promise<Response> =>
    t.app.inject({ method: 'PATCH', url: `/v1/projects/${encodeURIComponent(id)}`, headers: bearer(token), payload: payload as Record<string, unknown> });
  const remove = (token: string, id: string): Promise<Response> =>
    t.app.inject({ method: 'DELETE', url: `/v1/projects/${encodeURIComponent(id)}`, headers: bearer(token) });

  describe('listing', () => {
    it('lists only the caller’s own projects, newest first', async () => {
      const user = await registerUser(t.app);
      const other = await registerUser(t.app);
      const first = await createProject(t.app, user.accessToken, 'first');
      const foreign = await createProject(t.app, other.accessToken, 'foreign');
      const second = await createProject(t.app, user.accessToken, 'second');
      const third = await createProject(t.app, user.accessToken, 'third');

      const response = await list(user.accessToken);
      expect(response.statusCode).toBe(200);
      const body = response.json<ProjectBody[]>();
      expect(body.map((p) => p.id)).toEqual([third.id, second.id, first.id]);
      expect(body[0]).toMatchObject({ id: third.id, name: 'third', createdAt: third.createdAt });
      expect(body.some((p) => p.id === foreign.id)).toBe(false);
    });

    it('gives a new user an empty list', async () => {
      const user = await registerUser(t.app);
      const response = await list(user.accessToken);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([]);
    });

    it('pages with ?limit and a Link rel="next" header that leads to the rest', async () => {
      const user = await registerUser(t.app);
      const created: ProjectBody[] = [];
      for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) created.push(await createProject(t.app, user.accessToken, name));
      const newestFirst = created.map((p) => p.id).reverse();

      const seen: string[] = [];
      let url: string | undefined = '/v1/projects?limit=2';
      const pageSizes: number[] = [];
      while (url !== undefined) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer(user.accessToken) });
        expect(response.statusCode).toBe(200);
        const page = response.json<ProjectBody[]>();
        pageSizes.push(page.length);
        seen.push(...page.map((p) => p.id));
        url = nextLink(response.headers.link);
        expect(pageSizes.length).toBeLessThanOrEqual(3);
      }
      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(newestFirst);
    });

    it('sends no Link header when everything fits in one page', async () => {
      const user = await registerUser(t.app);
      await createProject(t.app, user.accessToken, 'only');
      const response = await list(user.accessToken, '?limit=2');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toHaveLength(1);
      expect(response.headers.link).toBeUndefined();
    });

    it('refuses a garbage cursor with 400', async () => {
      const user = await registerUser(t.app);
      for (const cursor of ['garbage', 'not-a-cursor!!', Buffer.from('2024-01-01T00:00:00.000Z|nope').toString('base64url')]) {
        const response = await list(user.accessToken, `?cursor=${encodeURIComponent(cursor)}`);
        expect(response.statusCode, cursor).toBe(400);
        expect(response.json()).toMatchObject({ error: 'validation_error' });
      }
    });

    it('refuses a page size outside 1–100 with 400', async () => {
      const user = await registerUser(t.app);
      for (const limit of ['0', '101', '-1', 'abc']) {
        const response = await list(user.accessToken, `?limit=${limit}`);
        expect(response.statusCode, `limit=${limit}`).toBe(400);
        expect(response.json()).toMatchObject({ error: 'validation_error' });
      }
      expect((await list(user.accessToken, '?limit=100')).statusCode).toBe(200);
      expect((await list(user.accessToken, '?limit=1')).statusCode).toBe(200);
    });
  });

  describe('creating', () => {
    it('creates a project and answers 201 with its id, name and creation time', async () => {
      const user = await registerUser(t.app);
      const response = await create(user.accessToken, { name: 'my-api' });
      expect(response.statusCode).toBe(201);
      const body = response.json<ProjectBody>();
      expect(body).toMatchObject({ name: 'my-api' });
      expect(body.id).toMatch(UUID);
      expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
      const listed = (await list(user.accessToken)).json<ProjectBody[]>();
      expect(listed).toEqual([expect.objectContaining({ id: body.id, name: 'my-api', createdAt: body.createdAt })]);
    });

    it('accepts a name of exactly 100 characters', async () => {
      const user = await registerUser(t.app);
      const name = 'n'.repeat(100);
      const response = await create(user.accessToken, { name });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name });
    });

    it.each([
      ['an empty name', { name: '' }],
      ['a missing name', {}],
      ['a blank name', { name: '   ' }],
      ['a name of 101 characters', { name: 'n'.repeat(101) }],
      ['a name that is a number', { name: 42 }],
      ['an unknown extra field', { name: 'ok', owner: 'someone-else' }],
    ])('refuses %s with 400 validation_error and creates nothing', async (_case, payload) => {
      const user = await registerUser(t.app);
      const response = await create(user.accessToken, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error', message: expect.any(String), requestId: expect.any(String) });
      expect((await list(user.accessToken)).json()).toEqual([]);
    });
  });

  describe('renaming', () => {
    it('renames a project: 200 with the new name, which the list shows, and an audit entry with both names', async () => {
      const user = await registerUser(t.app);
      const project = await createProject(t.app, user.accessToken, 'before');
      const response = await rename(user.accessToken, project.id, { name: 'after' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ...project, name: 'after' });
      expect((await list(user.accessToken)).json<ProjectBody[]>()).toEqual([expect.objectContaining({ id: project.id, name: 'after' })]);
      const audit = await t.app.inject({ method: 'GET', url: `/v1/projects/${project.id}/audit`, headers: bearer(user.accessToken) });
      expect(audit.json<{ action: string; actorId: string; changes: unknown }[]>()[0]).toMatchObject({ action: 'project.updated', actorId: user.id, changes: { name: { before: 'before', after: 'after' } } });
    });

    it('keeps the project’s keys working', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      expect((await rename(user.accessToken, projectId, { name: 'renamed' })).statusCode).toBe(200);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    });

    it.each([
      ['an empty name', { name: '' }],
      ['a missing name', {}],
      ['a blank name', { name: '   ' }],
      ['a name of 101 characters', { name: 'n'.repeat(101) }],
      ['a name that is a number', { name: 42 }],
      ['an unknown extra field', { name: 'ok', workspaceId: randomUUID() }],
    ])('refuses %s with 400 validation_error and keeps the name', async (_case, payload) => {
      const user = await registerUser(t.app);
      const project = await createProject(t.app, user.accessToken, 'kept');
      const response = await rename(user.accessToken, project.id, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error', message: expect.any(String), requestId: expect.any(String) });
      expect((await list(user.accessToken)).json<ProjectBody[]>()[0]?.name).toBe('kept');
    });

    it('answers 404 for an unknown, malformed or another user’s project, and leaves the other’s name alone', async () => {
      const user = await registerUser(t.app);
      const other = await registerUser(t.app);
      const foreign = await createProject(t.app, other.accessToken, 'theirs');
      for (const id of [randomUUID(), 'not-a-uuid', foreign.id]) {
        const response = await rename(user.accessToken, id, { name: 'mine' });
        expect(response.statusCode, id).toBe(404);
        expect(response.json()).toMatchObject({ error: 'not_found' });
      }
      expect((await list(other.accessToken)).json<ProjectBody[]>()[0]?.name).toBe('theirs');
    });
  });

  describe('deleting', () => {
    it('deletes a project: 204, and it is gone from the list', async () => {
      const user = await registerUser(t.app);
      const keep = await createProject(t.app, user.accessToken, 'keep');
      const doomed = await createProject(t.app, user.accessToken, 'doomed');
      const response = await remove(user.accessToken, doomed.id);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      const listed = (await list(user.accessToken)).json<ProjectBody[]>();
      expect(listed.map((p) => p.id)).toEqual([keep.id]);
    });

    it('makes the project’s keys invalid_key on the very next request', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      // Warm the verification cache so a stale cached copy would show.
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);

      expect((await remove(user.accessToken, projectId)).statusCode).toBe(204);
      const refused = await verifyKey(t.app, key.key);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({ valid: false, error: 'invalid_key' });
    });

    it('makes the project’s services invalid_key on the very next request', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, 'billing-service');
      expect((await verifyService(t.app, service.key)).statusCode).toBe(200);

      expect((await remove(user.accessToken, projectId)).statusCode).toBe(204);
      const refused = await verifyService(t.app, service.key);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({ valid: false, error: 'invalid_key' });
    });

    it('answers 404 for the keys and services of a deleted project', async () => {
      const { user, projectId } = await userWithProject(t.app);
      await createKey(t.app, user.accessToken, projectId);
      expect((await remove(user.accessToken, projectId)).statusCode).toBe(204);
      for (const segment of ['keys', 'services']) {
        const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/${segment}`, headers: bearer(user.accessToken) });
        expect(response.statusCode, segment).toBe(404);
        expect(response.json()).toMatchObject({ error: 'not_found' });
      }
    });

    it('answers 404 when the project is deleted a second time', async () => {
      const { user, projectId } = await userWithProject(t.app);
      expect((await remove(user.accessToken, projectId)).statusCode).toBe(204);
      const again = await remove(user.accessToken, projectId);
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ error: 'not_found' });
    });

    it('answers 404 for another user’s project and leaves it in place for its owner', async () => {
      const owner = await userWithProject(t.app);
      const key = await createKey(t.app, owner.user.accessToken, owner.projectId);
      const intruder = await registerUser(t.app);

      const response = await remove(intruder.accessToken, owner.projectId);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });

      const listed = (await list(owner.user.accessToken)).json<ProjectBody[]>();
      expect(listed.map((p) => p.id)).toEqual([owner.projectId]);
      expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    });

    it('answers 404 for an unknown project id', async () => {
      const user = await registerUser(t.app);
      const response = await remove(user.accessToken, '00000000-0000-4000-8000-000000000000');
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
    });

    it.each([
      ['abc', 'abc'],
      ['an SQL fragment', "' OR 1=1 --"],
      ['a 500-character string', 'a'.repeat(500)],
      ['a UUID with trailing junk', '00000000-0000-4000-8000-000000000000x'],
    ])('answers 404, never 500, for a malformed id: %s', async (_case, id) => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await remove(user.accessToken, id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
      // Nothing of the caller's was touched.
      expect((await list(user.accessToken)).json<ProjectBody[]>().map((p) => p.id)).toEqual([projectId]);
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', '/v1/projects'],
      ['POST', '/v1/projects'],
      ['DELETE', '/v1/projects/00000000-0000-4000-8000-000000000000'],
    ] as const)('refuses %s %s without an access token (401)', async (method, url) => {
      const response = await t.app.inject({ method, url, ...(method === 'POST' ? { payload: { name: 'x' } } : {}) });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'unauthorized' });
    });

    it('refuses a malformed access token and does not delete with it', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await remove('not-a-jwt', projectId);
      expect(response.statusCode).toBe(401);
      expect((await list(user.accessToken)).json<ProjectBody[]>().map((p) => p.id)).toEqual([projectId]);
    });
  });
});

/**
 * A project deleted while keys and services are created, rotated and revoked in it: every
 * request either happens before the deletion (201/204) or finds the project gone (404), never a
 * 5xx (a foreign-key violation or a deadlock), and nothing of the project is left behind.
 */
async function raceDeletion(apps: readonly TestApp[]): Promise<void> {
  const [first] = apps;
  if (first === undefined) throw new Error('no app');
  const app = (i: number): TestApp['app'] => (apps[i % apps.length] ?? first).app;
  const { user, projectId } = await userWithProject(first.app);
  const auth = bearer(user.accessToken);
  const keys = await Promise.all(Array.from({ length: 20 }, () => createKey(first.app, user.accessToken, projectId)));
  const services = await Promise.all(Array.from({ length: 5 }, () => createService(first.app, user.accessToken, projectId)));
  // Usage rows of the project, which the deletion must take with it.
  for (const key of keys.slice(0, 5)) expect((await verifyKey(first.app, key.key)).statusCode).toBe(200);
  await Promise.all(apps.map((a) => a.deps.usage.flush()));

  const requests: Array<() => Promise<Response>> = [
    ...Array.from({ length: 20 }, (_, i) => () => app(i).inject({ method: 'POST', url: `/v1/projects/${projectId}/keys`, headers: auth, payload: {} })),
    ...Array.from({ length: 10 }, (_, i) => () =>
      app(i).inject({ method: 'POST', url: `/v1/projects/${projectId}/services`, headers: auth, payload: { name: `race-${i}` } }),
    ),
    ...keys.slice(0, 15).map((key, i) => () => app(i).inject({ method: 'POST', url: `/v1/projects/${projectId}/keys/${key.id}/rotate`, headers: auth })),
    ...services.map((service, i) => () => app(i).inject({ method: 'POST', url: `/v1/projects/${projectId}/services/${service.id}/rotate`, headers: auth })),
    ...keys.slice(15).map((key, i) => () => app(i).inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: auth })),
  ];
  const deletion = (): Promise<Response> => app(1).inject({ method: 'DELETE', url: `/v1/projects/${projectId}`, headers: auth });
  requests.splice(Math.floor(requests.length / 2), 0, deletion);
  const responses = await Promise.all(requests.map((send) => send()));

  for (const response of responses) expect([201, 204, 404], `${response.statusCode} ${response.body}`).toContain(response.statusCode);
  const deleted = responses[Math.floor((requests.length - 1) / 2)];
  expect(deleted?.statusCode).toBe(204);
  await Promise.all(apps.map((a) => a.deps.usage.flush()));
  const { db } = first.deps;
  expect(await db.selectFrom('projects').select('id').where('id', '=', projectId).execute()).toEqual([]);
  expect(await db.selectFrom('credentials').select('id').where('project_id', '=', projectId).execute()).toEqual([]);
  expect(await db.selectFrom('usage_counts').select('credential_id').where('project_id', '=', projectId).execute()).toEqual([]);
  // What was issued before the deletion no longer verifies.
  for (const response of responses.filter((r) => r.statusCode === 201)) {
    const issued = response.json<{ key: string }>().key;
    const verify = issued.startsWith('svc_') ? verifyService : verifyKey;
    expect((await verify(app(0), issued)).json()).toEqual({ valid: false, error: 'invalid_key' });
  }
}

describe(`deleting a project while its credentials change (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers every creation, rotation and revocation 201, 204 or 404, and leaves nothing of the project', async () => {
    for (let round = 0; round < 3; round++) await raceDeletion([t]);
  });
});

describe.runIf(backend === 'real')('deleting a project on one instance while the other changes its credentials', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    a = await startApp({ redisPrefix });
    // Same signing secret, so a token from one instance works on the other.
    b = await startApp({ redisPrefix, env: { JWT_SECRET: a.config.jwtSecret ?? '' } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('answers every request 201, 204 or 404 on both instances, and leaves nothing of the project', async () => {
    for (let round = 0; round < 3; round++) await raceDeletion([a, b]);
  });
});
