import { BadRequestErrorResponse, ForbiddenErrorResponse, NotFoundErrorResponse, UnauthorizedErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

let world: UnkeyWorld;
beforeAll(async () => {
  world = await startUnkeyWorld();
});
afterAll(async () => {
  await world.close();
});

describe('/v2 plumbing: envelope, errors, root-key auth', () => {
  it('GET /v2/liveness answers in the envelope', async () => {
    const response = await fetch(`${world.baseUrl}/v2/liveness`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { meta: { requestId: string }; data: unknown };
    expect(body).toEqual({ meta: { requestId: response.headers.get('x-request-id') }, data: { message: 'OK' } });
  });

  it('a missing Authorization header is 400 with errors[], a malformed one too', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer' }] as Array<Record<string, string>>) {
      const response = await world.post('/v2/apis.getApi', { apiId: 'x' }, headers);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { meta: { requestId: string }; error: { status: number; title: string; type: string; detail: string; errors: unknown[] } };
      expect(body.meta.requestId).toBe(response.headers.get('x-request-id'));
      expect(body.error).toMatchObject({ status: 400, title: 'Bad Request' });
      expect(body.error.type).toMatch(/^https:\/\/unkey\.com\/docs\/errors\/unkey\/authentication\/(missing|malformed)$/);
      expect(body.error.errors.length).toBeGreaterThan(0);
    }
  });

  it('an unknown root key is a typed 401 in the SDK', async () => {
    const error = await world.sdk('rk_live_unknown').apis.getApi({ apiId: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedErrorResponse);
    expect((error as UnauthorizedErrorResponse).error.status).toBe(401);
  });

  it('a body that breaks the schema is a typed 400 naming the field', async () => {
    const response = await world.post('/v2/apis.createApi', { name: 1 });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { errors: Array<{ location: string; message: string }> } };
    expect(body.error.errors[0]?.location).toBe('body.name');
    const error = await world.unkey.apis.createApi({ name: 'ab' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestErrorResponse);
    expect((error as BadRequestErrorResponse).error.errors[0]?.location).toBe('body.name');
  });

  it('a body that is not JSON is a 400 in the same shape', async () => {
    const response = await world.post('/v2/apis.createApi', '{"name":');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { status: number } }).error.status).toBe(400);
  });

  it('a root key without the permission is a typed 403', async () => {
    const readOnly = world.sdk(await world.rootKeyWith(['api.*.read_key']));
    const error = await readOnly.apis.createApi({ name: 'not-allowed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenErrorResponse);
    expect((error as ForbiddenErrorResponse).error.type).toContain('authorization/insufficient_permissions');
  });
});

describe('apis.*', () => {
  it('creates, reads and deletes an API (an Elyzor project)', async () => {
    const created = await world.unkey.apis.createApi({ name: 'payments' });
    expect(created.meta.requestId).toBeTruthy();
    const { apiId } = created.data;
    const got = await world.unkey.apis.getApi({ apiId });
    expect(got.data).toEqual({ id: apiId, name: 'payments' });
    // The same project at /v1, in the root key's workspace.
    const listed = await world.server.app.inject({ method: 'GET', url: '/v1/projects', headers: { authorization: `Bearer ${world.owner.accessToken}` } });
    expect((listed.json() as Array<{ id: string; workspaceId: string }>).find((p) => p.id === apiId)?.workspaceId).toBe(world.workspaceId);
    const deleted = await world.unkey.apis.deleteApi({ apiId });
    expect(deleted.data).toEqual({});
    const error = await world.unkey.apis.getApi({ apiId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('an unknown or malformed apiId is a typed 404', async () => {
    for (const apiId of ['api_123', '00000000-0000-4000-8000-000000000000']) {
      const error = await world.unkey.apis.getApi({ apiId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundErrorResponse);
    }
  });

  it('another workspace’s API is a 404 to this root key', async () => {
    const other = await startOtherWorkspaceApi();
    const error = await world.unkey.apis.getApi({ apiId: other }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('lists keys in cursor pages with the SDK’s page iterator, filtered by externalId', async () => {
    const { apiId } = (await world.unkey.apis.createApi({ name: 'paged' })).data;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await world.unkey.keys.createKey({ apiId, externalId: i % 2 === 0 ? 'user_even' : 'user_odd' })).data.keyId);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of await world.unkey.apis.listKeys({ apiId, limit: 2 })) {
      pages++;
      expect(page.result.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.result.data.map((k) => k.keyId));
    }
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual([...made].sort());
    const even = await world.unkey.apis.listKeys({ apiId, externalId: 'user_even' });
    expect(even.result.data.map((k) => k.identity?.externalId)).toEqual(['user_even', 'user_even', 'user_even']);
    expect(even.result.pagination).toEqual({ hasMore: false });
  });
});

/** An API in a workspace this suite's root key does not belong to. */
async function startOtherWorkspaceApi(): Promise<string> {
  const { registerUser, createProject } = await import('../test/helpers/harness.js');
  const stranger = await registerUser(world.server.app);
  return (await createProject(world.server.app, stranger.accessToken, 'theirs')).id;
}
