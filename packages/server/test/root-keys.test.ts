import { randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, registerUser, startApp, type TestApp, type TestUser } from './helpers/harness.js';
import { createProjectIn, createRootKey, createWorkspace } from './helpers/teams.js';

/**
 * Root keys: `rk_live_<publicId>.<secret>`, shown once, stored as a digest; accepted as a bearer
 * wherever an access token is, limited to its permissions (the role matrix checks each one);
 * revoked, rotated away or expired, refused on the very next request, on every instance.
 */
describe(`root keys (${backend})`, () => {
  let t: TestApp;
  let owner: TestUser;
  let workspaceId: string;
  let projectId: string;
  const clock = new ManualClock(Date.parse('2026-12-01T09:00:00Z'));

  beforeAll(async () => {
    t = await startApp({ logLevel: 'silent', clock });
    owner = await registerUser(t.app);
    workspaceId = (await createWorkspace(t.app, owner.accessToken)).id;
    projectId = (await createProjectIn(t.app, owner.accessToken, workspaceId)).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const listKeys = (token: string) => t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys`, headers: bearer(token) });

  it('is shown once in the documented format; listed and stored without its secret', async () => {
    const created = await t.app.inject({ method: 'POST', url: `/v1/workspaces/${workspaceId}/root-keys`, headers: bearer(owner.accessToken), payload: { name: 'deploy', permissions: ['project.*.read_key', 'project.*.read_key'] } });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json<{ id: string; key: string; prefix: string; permissions: string[]; status: string }>();
    expect(body.key).toMatch(/^rk_live_[0-9A-Za-z]{16}\.[0-9A-Za-z]{49}$/);
    expect(body.key.startsWith(`${body.prefix}.`)).toBe(true);
    expect(body).toMatchObject({ permissions: ['project.*.read_key'], status: 'active' });
    const secret = body.key.split('.')[1] ?? '';
    const listed = await t.app.inject({ method: 'GET', url: `/v1/workspaces/${workspaceId}/root-keys`, headers: bearer(owner.accessToken) });
    expect(listed.body).not.toContain(secret);
    expect(listed.json<Array<{ id: string }>>().map((k) => k.id)).toContain(body.id);
    const rows = await t.deps.db.selectFrom('root_keys').selectAll().where('id', '=', body.id).execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('refuses unknown permissions and projects of other workspaces with 400, creating nothing', async () => {
    const elsewhere = (await createProjectIn(t.app, owner.accessToken, (await createWorkspace(t.app, owner.accessToken)).id)).id;
    for (const permissions of [['project.*.drop_tables'], ['workspace.manage_root_keys'], [`project.${elsewhere}.read_key`], ['project.nope.read_key'], ['*']]) {
      const response = await t.app.inject({ method: 'POST', url: `/v1/workspaces/${workspaceId}/root-keys`, headers: bearer(owner.accessToken), payload: { name: 'bad', permissions } });
      expect(response.statusCode, `${permissions.join()} ${response.body}`).toBe(400);
      expect(response.json<{ error: string }>().error).toBe('validation_error');
    }
    const expired = await t.app.inject({ method: 'POST', url: `/v1/workspaces/${workspaceId}/root-keys`, headers: bearer(owner.accessToken), payload: { name: 'old', permissions: [], expiresAt: '2000-01-01T00:00:00Z' } });
    expect(expired.statusCode).toBe(400);
  });

  it('acts with its permissions, and its changes are audited with the root key as the actor', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, [`project.${projectId}.create_key`, 'project.*.read_audit']);
    const created = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/keys`, headers: bearer(rootKey.key), payload: { label: 'by-machine' } });
    expect(created.statusCode, created.body).toBe(201);
    const keyId = created.json<{ id: string }>().id;
    expect((await listKeys(rootKey.key)).statusCode).toBe(403);
    const audit = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/audit?action=key.created`, headers: bearer(rootKey.key) });
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json<Array<{ targetId: string; actorId: string; actorType: string }>>().find((e) => e.targetId === keyId)).toMatchObject({ actorId: rootKey.id, actorType: 'root_key' });
  });

  it('revoked: 401 on the very next request, and revoking twice is already_revoked', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, ['project.*.read_key']);
    expect((await listKeys(rootKey.key)).statusCode).toBe(200);
    const url = `/v1/workspaces/${workspaceId}/root-keys/${rootKey.id}`;
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    const refused = await listKeys(rootKey.key);
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ error: string }>().error).toBe('unauthorized');
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(owner.accessToken) })).json<{ error: string }>().error).toBe('already_revoked');
    expect((await t.app.inject({ method: 'POST', url: `${url}/rotate`, headers: bearer(owner.accessToken) })).statusCode).toBe(403);
  });

  it('rotated: the old string is 401 at once, the new one works with the same permissions', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, ['project.*.read_key']);
    // Authenticated once, so that this instance holds it in memory when it is rotated away.
    expect((await listKeys(rootKey.key)).statusCode).toBe(200);
    const rotated = await t.app.inject({ method: 'POST', url: `/v1/workspaces/${workspaceId}/root-keys/${rootKey.id}/rotate`, headers: bearer(owner.accessToken) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = rotated.json<{ id: string; key: string; permissions: string[] }>();
    expect(next).toMatchObject({ id: rootKey.id, permissions: ['project.*.read_key'] });
    expect((await listKeys(rootKey.key)).statusCode).toBe(401);
    expect((await listKeys(next.key)).statusCode).toBe(200);
  });

  it('expired (on the injected clock): 401 on the next request, listed as expired', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, ['project.*.read_key'], { expiresAt: new Date(clock.now() + 60_000).toISOString() });
    expect((await listKeys(rootKey.key)).statusCode).toBe(200);
    clock.advance(60_000);
    expect((await listKeys(rootKey.key)).statusCode).toBe(401);
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: owner.email, password: owner.password } });
    const listed = await t.app.inject({ method: 'GET', url: `/v1/workspaces/${workspaceId}/root-keys`, headers: bearer(login.json<{ accessToken: string }>().accessToken) });
    expect(listed.json<Array<{ id: string; status: string }>>().find((k) => k.id === rootKey.id)?.status).toBe('expired');
  });

  it('expired sooner than a remembered key is read again: 401 on the next request all the same', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, ['project.*.read_key'], { expiresAt: new Date(clock.now() + 2_000).toISOString() });
    expect((await listKeys(rootKey.key)).statusCode).toBe(200);
    clock.advance(2_000);
    expect((await listKeys(rootKey.key)).statusCode).toBe(401);
  });

  it('a workspace deleted: its root keys are 401 on the next request, at /v1 and /v2', async () => {
    const doomed = (await createWorkspace(t.app, owner.accessToken)).id;
    const doomedProject = (await createProjectIn(t.app, owner.accessToken, doomed)).id;
    const rootKey = await createRootKey(t.app, owner.accessToken, doomed, ['project.*.read_key', 'api.*.read_api']);
    const v1 = () => t.app.inject({ method: 'GET', url: `/v1/projects/${doomedProject}/keys`, headers: bearer(rootKey.key) });
    const v2 = () => t.app.inject({ method: 'POST', url: '/v2/apis.getApi', headers: bearer(rootKey.key), payload: { apiId: doomedProject } });
    expect((await v1()).statusCode).toBe(200);
    expect((await v2()).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${doomed}`, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect((await v1()).statusCode).toBe(401);
    expect((await v2()).statusCode).toBe(401);
  });

  it('revoked or rotated away while remembered: /v2 answers 401 on the very next request', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, ['api.*.read_api']);
    const getApi = (token: string) => t.app.inject({ method: 'POST', url: '/v2/apis.getApi', headers: bearer(token), payload: { apiId: projectId } });
    expect((await getApi(rootKey.key)).statusCode).toBe(200);
    const url = `/v1/workspaces/${workspaceId}/root-keys/${rootKey.id}`;
    const rotated = await t.app.inject({ method: 'POST', url: `${url}/rotate`, headers: bearer(owner.accessToken) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = rotated.json<{ key: string }>().key;
    expect((await getApi(rootKey.key)).statusCode).toBe(401);
    expect((await getApi(next)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    const refused = await getApi(next);
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ error: { status: number } }>().error.status).toBe(401);
  });

  it('refuses forged, truncated and tampered root keys with 401, and a root key at the verify endpoints as invalid_key', async () => {
    const rootKey = await createRootKey(t.app, owner.accessToken, workspaceId, ['project.*.read_key']);
    const last = rootKey.key.at(-1) === 'a' ? 'b' : 'a';
    for (const token of [rootKey.key.slice(0, -1) + last, rootKey.key.slice(0, 40), `rk_live_${'A'.repeat(16)}.${'A'.repeat(49)}`, rootKey.key.replace('rk_live_', 'rk_test_')]) {
      expect((await listKeys(token)).statusCode, token).toBe(401);
    }
    const verify = await t.app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(rootKey.key) });
    expect(verify.json<{ valid: boolean; error: string }>()).toMatchObject({ valid: false, error: 'invalid_key' });
    // And an API key is no root key.
    const apiKey = await createKey(t.app, owner.accessToken, projectId);
    expect((await listKeys(apiKey.key)).statusCode).toBe(401);
  });
});

describe.runIf(backend === 'real')('root keys across two instances on one PostgreSQL and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  // One injected clock for both instances.
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    a = await startApp({ logLevel: 'silent', redisPrefix, clock });
    b = await startApp({ logLevel: 'silent', redisPrefix, clock, env: { JWT_SECRET: a.config.jwtSecret ?? '' } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a root key revoked or expired on one instance is 401 on the next request to the other', async () => {
    const owner = await registerUser(a.app);
    const workspaceId = (await createWorkspace(a.app, owner.accessToken)).id;
    const projectId = (await createProjectIn(a.app, owner.accessToken, workspaceId)).id;
    const url = `/v1/projects/${projectId}/keys`;
    const rootKey = await createRootKey(a.app, owner.accessToken, workspaceId, ['project.*.read_key']);
    expect((await b.app.inject({ method: 'GET', url, headers: bearer(rootKey.key) })).statusCode).toBe(200);
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/workspaces/${workspaceId}/root-keys/${rootKey.id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect((await b.app.inject({ method: 'GET', url, headers: bearer(rootKey.key) })).statusCode).toBe(401);
    // Expiry: once the clock passes it, both refuse the key on their next request.
    const short = await createRootKey(a.app, owner.accessToken, workspaceId, ['project.*.read_key'], { expiresAt: new Date(clock.now() + 60_000).toISOString() });
    expect((await b.app.inject({ method: 'GET', url, headers: bearer(short.key) })).statusCode).toBe(200);
    clock.advance(60_000);
    expect((await b.app.inject({ method: 'GET', url, headers: bearer(short.key) })).statusCode).toBe(401);
    expect((await a.app.inject({ method: 'GET', url, headers: bearer(short.key) })).statusCode).toBe(401);
  });

  it('a root key each instance remembers: rotated, revoked or its workspace deleted on one, 401 on the next request to the other, at /v1 and /v2', async () => {
    const owner = await registerUser(a.app);
    const workspaceId = (await createWorkspace(a.app, owner.accessToken)).id;
    const projectId = (await createProjectIn(a.app, owner.accessToken, workspaceId)).id;
    const rootKey = await createRootKey(a.app, owner.accessToken, workspaceId, ['project.*.read_key', 'api.*.read_api']);
    const v1 = (app: TestApp, token: string) => app.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys`, headers: bearer(token) }).then((r) => r.statusCode);
    const v2 = (app: TestApp, token: string) => app.app.inject({ method: 'POST', url: '/v2/apis.getApi', headers: bearer(token), payload: { apiId: projectId } }).then((r) => r.statusCode);
    const both = async (token: string) => [await v1(a, token), await v2(a, token), await v1(b, token), await v2(b, token)];
    expect(await both(rootKey.key)).toEqual([200, 200, 200, 200]);
    const keyUrl = `/v1/workspaces/${workspaceId}/root-keys/${rootKey.id}`;

    const rotated = await a.app.inject({ method: 'POST', url: `${keyUrl}/rotate`, headers: bearer(owner.accessToken) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = rotated.json<{ key: string }>().key;
    expect(await both(rootKey.key)).toEqual([401, 401, 401, 401]);
    expect(await both(next)).toEqual([200, 200, 200, 200]);

    expect((await b.app.inject({ method: 'DELETE', url: keyUrl, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect(await both(next)).toEqual([401, 401, 401, 401]);

    const other = await createRootKey(a.app, owner.accessToken, workspaceId, ['project.*.read_key', 'api.*.read_api']);
    expect(await both(other.key)).toEqual([200, 200, 200, 200]);
    expect((await a.app.inject({ method: 'DELETE', url: `/v1/workspaces/${workspaceId}`, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect([await v1(b, other.key), await v2(b, other.key), await v1(a, other.key), await v2(a, other.key)]).toEqual([401, 401, 401, 401]);
  });
});
