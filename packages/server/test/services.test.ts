import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend,
  bearer,
  createProject,
  createService,
  registerUser,
  startApp,
  userWithProject,
  verifyService,
  type TestApp,
} from './helpers/harness.js';

const SERVICE_KEY_FORMAT = /^svc_live_[0-9A-Za-z]{16}\.[0-9A-Za-z]{49}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface IssuedServiceBody {
  id: string;
  name: string;
  key: string;
  revoked: boolean;
  createdAt: string;
}

interface ListedService {
  id: string;
  name: string;
  prefix: string;
  revoked: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

type App = TestApp['app'];
type Response = Awaited<ReturnType<App['inject']>>;

const servicesUrl = (projectId: string): string => `/v1/projects/${encodeURIComponent(projectId)}/services`;
const serviceUrl = (projectId: string, serviceId: string): string => `${servicesUrl(projectId)}/${encodeURIComponent(serviceId)}`;

function postService(app: App, token: string, projectId: string, payload: Record<string, unknown>): Promise<Response> {
  return app.inject({ method: 'POST', url: servicesUrl(projectId), headers: bearer(token), payload });
}

function listServices(app: App, token: string, projectId: string): Promise<Response> {
  return app.inject({ method: 'GET', url: servicesUrl(projectId), headers: bearer(token) });
}

function revokeService(app: App, token: string, projectId: string, serviceId: string): Promise<Response> {
  return app.inject({ method: 'DELETE', url: serviceUrl(projectId, serviceId), headers: bearer(token) });
}

function rotateService(app: App, token: string, projectId: string, serviceId: string): Promise<Response> {
  return app.inject({ method: 'POST', url: `${serviceUrl(projectId, serviceId)}/rotate`, headers: bearer(token), payload: {} });
}

describe(`services (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('registering', () => {
    it('registers a service: 201 with id, name, plaintext svc_live_ key, revoked:false and createdAt', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await postService(t.app, user.accessToken, projectId, { name: 'billing-service' });
      expect(response.statusCode).toBe(201);
      const body = response.json<IssuedServiceBody>();
      expect(body).toMatchObject({ name: 'billing-service', revoked: false });
      expect(body.id).toMatch(UUID);
      expect(body.key).toMatch(SERVICE_KEY_FORMAT);
      expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);

      const verified = await verifyService(t.app, body.key);
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toMatchObject({ valid: true, projectId, service: { id: body.id, name: 'billing-service' } });
    });

    it('accepts lowercase letters, digits and hyphens up to 100 characters', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (const name of ['a', 'order-service-2', '0-9', 's'.repeat(100)]) {
        const response = await postService(t.app, user.accessToken, projectId, { name });
        expect(response.statusCode, name).toBe(201);
        expect(response.json()).toMatchObject({ name });
      }
    });

    it.each([
      ['uppercase letters', { name: 'Billing-Service' }],
      ['a space', { name: 'billing service' }],
      ['an underscore', { name: 'billing_service' }],
      ['unicode letters', { name: 'facturación' }],
      ['an empty name', { name: '' }],
      ['a name of 101 characters', { name: 's'.repeat(101) }],
      ['a missing name', {}],
      ['a name that is a number', { name: 42 }],
    ])('refuses a name with %s with 400 validation_error and registers nothing', async (_case, payload) => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await postService(t.app, user.accessToken, projectId, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
      expect((await listServices(t.app, user.accessToken, projectId)).json()).toEqual([]);
    });

    it('refuses a name already used in the same project with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const first = await createService(t.app, user.accessToken, projectId, 'billing-service');
      const duplicate = await postService(t.app, user.accessToken, projectId, { name: 'billing-service' });
      expect(duplicate.statusCode).toBe(400);
      expect(duplicate.json()).toMatchObject({ error: 'validation_error' });
      const listed = (await listServices(t.app, user.accessToken, projectId)).json<ListedService[]>();
      expect(listed.map((s) => s.id)).toEqual([first.id]);
      expect((await verifyService(t.app, first.key)).statusCode).toBe(200);
    });

    it('allows the same name in another project', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const otherProject = await createProject(t.app, user.accessToken, 'other');
      await createService(t.app, user.accessToken, projectId, 'billing-service');
      const response = await postService(t.app, user.accessToken, otherProject.id, { name: 'billing-service' });
      expect(response.statusCode).toBe(201);
      const verified = await verifyService(t.app, response.json<IssuedServiceBody>().key);
      expect(verified.json()).toMatchObject({ valid: true, projectId: otherProject.id });
    });

    it('frees the name of a revoked service for a new registration', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createService(t.app, user.accessToken, projectId, 'billing-service');
      expect((await revokeService(t.app, user.accessToken, projectId, old.id)).statusCode).toBe(204);
      const response = await postService(t.app, user.accessToken, projectId, { name: 'billing-service' });
      expect(response.statusCode).toBe(201);
      const fresh = response.json<IssuedServiceBody>();
      expect(fresh.id).not.toBe(old.id);
      expect((await verifyService(t.app, fresh.key)).json()).toMatchObject({ valid: true, service: { id: fresh.id, name: 'billing-service' } });
      expect((await verifyService(t.app, old.key)).statusCode).toBe(403);
    });

    it('answers 404 when registering under another user’s project or an unknown or malformed one', async () => {
      const owner = await userWithProject(t.app);
      const intruder = await registerUser(t.app);
      for (const projectId of [owner.projectId, randomUUID(), 'abc']) {
        const response = await postService(t.app, intruder.accessToken, projectId, { name: 'sneaky' });
        expect(response.statusCode, projectId).toBe(404);
        expect(response.json()).toMatchObject({ error: 'not_found' });
      }
      expect((await listServices(t.app, owner.user.accessToken, owner.projectId)).json()).toEqual([]);
    });
  });

  describe('listing', () => {
    it('lists services newest first with id, name, prefix, revoked, createdAt and lastUsedAt', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const first = await createService(t.app, user.accessToken, projectId, 'first');
      const second = await createService(t.app, user.accessToken, projectId, 'second');
      const response = await listServices(t.app, user.accessToken, projectId);
      expect(response.statusCode).toBe(200);
      const body = response.json<ListedService[]>();
      expect(body.map((s) => s.id)).toEqual([second.id, first.id]);
      expect(body[1]).toMatchObject({
        id: first.id,
        name: 'first',
        prefix: first.key.split('.')[0],
        revoked: false,
        createdAt: first.createdAt,
        lastUsedAt: null,
      });
    });

    it('never shows the plaintext key nor any digest', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createService(t.app, user.accessToken, projectId, 'billing-service');
      const secret = issued.key.split('.')[1] ?? '';
      expect(secret.length).toBeGreaterThan(0);
      const before = await listServices(t.app, user.accessToken, projectId);
      expect((await verifyService(t.app, issued.key)).statusCode).toBe(200);
      const after = await listServices(t.app, user.accessToken, projectId);
      for (const response of [before, after]) {
        expect(response.statusCode).toBe(200);
        const text = response.body;
        expect(text).not.toContain(issued.key);
        expect(text).not.toContain(secret);
        expect(text).not.toMatch(/[0-9a-f]{64}/i);
        const fields = (JSON.parse(text) as Array<Record<string, unknown>>).flatMap((entry) => Object.keys(entry));
        expect(fields.filter((field) => /key$|digest|hash|secret/i.test(field))).toEqual([]);
      }
    });

    it('answers 404 for the services of another user’s project', async () => {
      const owner = await userWithProject(t.app);
      await createService(t.app, owner.user.accessToken, owner.projectId);
      const intruder = await registerUser(t.app);
      const response = await listServices(t.app, intruder.accessToken, owner.projectId);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
    });
  });

  describe('revoking', () => {
    it('revokes a service: 204, listed as revoked, and service_revoked on the very next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createService(t.app, user.accessToken, projectId, 'billing-service');
      // Warm the verification cache so a stale cached copy would show.
      expect((await verifyService(t.app, issued.key)).statusCode).toBe(200);

      const response = await revokeService(t.app, user.accessToken, projectId, issued.id);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');

      const refused = await verifyService(t.app, issued.key);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ valid: false, error: 'service_revoked' });

      const listed = (await listServices(t.app, user.accessToken, projectId)).json<ListedService[]>();
      expect(listed).toEqual([expect.objectContaining({ id: issued.id, name: 'billing-service', revoked: true })]);
    });

    it('answers 403 when a revoked service is revoked again', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createService(t.app, user.accessToken, projectId);
      expect((await revokeService(t.app, user.accessToken, projectId, issued.id)).statusCode).toBe(204);
      const again = await revokeService(t.app, user.accessToken, projectId, issued.id);
      expect(again.statusCode).toBe(403);
      expect(again.json()).toMatchObject({ error: 'already_revoked' });
    });

    it.each([
      ['an unknown service id', (): string => randomUUID()],
      ['a malformed service id', (): string => 'abc'],
      ['an SQL fragment as service id', (): string => "' OR 1=1 --"],
    ])('answers 404 for %s', async (_case, makeId) => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await revokeService(t.app, user.accessToken, projectId, makeId());
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
    });

    it('answers 404 for a service of another of the same user’s projects, and leaves it working', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const otherProject = await createProject(t.app, user.accessToken, 'other');
      const issued = await createService(t.app, user.accessToken, otherProject.id);
      const response = await revokeService(t.app, user.accessToken, projectId, issued.id);
      expect(response.statusCode).toBe(404);
      expect((await verifyService(t.app, issued.key)).statusCode).toBe(200);
    });

    it('answers 404 for a service of another user’s project, and leaves it working', async () => {
      const owner = await userWithProject(t.app);
      const issued = await createService(t.app, owner.user.accessToken, owner.projectId);
      const intruder = await registerUser(t.app);
      const response = await revokeService(t.app, intruder.accessToken, owner.projectId, issued.id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
      expect((await verifyService(t.app, issued.key)).statusCode).toBe(200);
    });
  });

  describe('rotating', () => {
    it('rotates a service: 201 with the same name and a new id and key; the old key is service_revoked at once', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createService(t.app, user.accessToken, projectId, 'billing-service');
      expect((await verifyService(t.app, old.key)).statusCode).toBe(200);

      const response = await rotateService(t.app, user.accessToken, projectId, old.id);
      expect(response.statusCode).toBe(201);
      const rotated = response.json<IssuedServiceBody>();
      expect(rotated).toMatchObject({ name: 'billing-service', revoked: false });
      expect(rotated.id).toMatch(UUID);
      expect(rotated.id).not.toBe(old.id);
      expect(rotated.key).toMatch(SERVICE_KEY_FORMAT);
      expect(rotated.key).not.toBe(old.key);

      const oldVerify = await verifyService(t.app, old.key);
      expect(oldVerify.statusCode).toBe(403);
      expect(oldVerify.json()).toEqual({ valid: false, error: 'service_revoked' });

      const newVerify = await verifyService(t.app, rotated.key);
      expect(newVerify.statusCode).toBe(200);
      expect(newVerify.json()).toMatchObject({ valid: true, projectId, service: { id: rotated.id, name: 'billing-service' } });

      const listed = (await listServices(t.app, user.accessToken, projectId)).json<ListedService[]>();
      expect(listed.map((s) => [s.id, s.name, s.revoked])).toEqual([
        [rotated.id, 'billing-service', false],
        [old.id, 'billing-service', true],
      ]);
    });

    it('refuses to rotate a revoked service with 403', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createService(t.app, user.accessToken, projectId);
      expect((await revokeService(t.app, user.accessToken, projectId, issued.id)).statusCode).toBe(204);
      const response = await rotateService(t.app, user.accessToken, projectId, issued.id);
      expect(response.statusCode).toBe(403);
      expect((await listServices(t.app, user.accessToken, projectId)).json()).toHaveLength(1);
    });

    it('answers 404 when rotating an unknown, malformed or foreign service', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const owner = await userWithProject(t.app);
      const foreign = await createService(t.app, owner.user.accessToken, owner.projectId);
      for (const [project, serviceId] of [
        [projectId, randomUUID()],
        [projectId, 'abc'],
        [projectId, foreign.id],
        [owner.projectId, foreign.id],
      ] as const) {
        const response = await rotateService(t.app, user.accessToken, project, serviceId);
        expect(response.statusCode, `${project}/${serviceId}`).toBe(404);
      }
      expect((await verifyService(t.app, foreign.key)).statusCode).toBe(200);
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', ''],
      ['POST', ''],
      ['DELETE', '/00000000-0000-4000-8000-000000000000'],
      ['POST', '/00000000-0000-4000-8000-000000000000/rotate'],
    ] as const)('refuses %s …/services%s without an access token (401)', async (method, suffix) => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await t.app.inject({
        method,
        url: `${servicesUrl(projectId)}${suffix}`,
        ...(method === 'POST' ? { payload: suffix === '' ? { name: 'unauthorised' } : {} } : {}),
      });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'unauthorized' });
      expect((await listServices(t.app, user.accessToken, projectId)).json()).toEqual([]);
    });
  });
});
