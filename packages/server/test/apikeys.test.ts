import { randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend,
  bearer,
  createKey,
  createProject,
  registerUser,
  startApp,
  userWithProject,
  verifyKey,
  type TestApp,
} from './helpers/harness.js';

const KEY_FORMAT = /^sk_live_[0-9A-Za-z]{16}\.[0-9A-Za-z]{49}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface IssuedKeyBody {
  id: string;
  key: string;
  label: string | null;
  revoked: boolean;
  createdAt: string;
  previousKeyExpiresAt?: string;
}

interface ListedKey {
  id: string;
  label: string | null;
  prefix: string;
  revoked: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

type App = TestApp['app'];
type Response = Awaited<ReturnType<App['inject']>>;

const keysUrl = (projectId: string): string => `/v1/projects/${encodeURIComponent(projectId)}/keys`;
const keyUrl = (projectId: string, keyId: string): string => `${keysUrl(projectId)}/${encodeURIComponent(keyId)}`;

function listKeys(app: App, token: string, projectId: string): Promise<Response> {
  return app.inject({ method: 'GET', url: keysUrl(projectId), headers: bearer(token) });
}

function revokeKey(app: App, token: string, projectId: string, keyId: string): Promise<Response> {
  return app.inject({ method: 'DELETE', url: keyUrl(projectId, keyId), headers: bearer(token) });
}

function rotateKey(app: App, token: string, projectId: string, keyId: string, payload?: Record<string, unknown>): Promise<Response> {
  return app.inject({ method: 'POST', url: `${keyUrl(projectId, keyId)}/rotate`, headers: bearer(token), ...(payload !== undefined ? { payload } : {}) });
}

describe(`api keys (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('issuing', () => {
    it('issues a key: 201 with id, plaintext sk_live_ key, label, revoked:false and createdAt', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await t.app.inject({ method: 'POST', url: keysUrl(projectId), headers: bearer(user.accessToken), payload: { label: 'production' } });
      expect(response.statusCode).toBe(201);
      const body = response.json<IssuedKeyBody>();
      expect(body).toMatchObject({ label: 'production', revoked: false });
      expect(body.id).toMatch(UUID);
      expect(body.key).toMatch(KEY_FORMAT);
      expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);
      const verified = await verifyKey(t.app, body.key);
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toMatchObject({ valid: true, projectId });
    });

    it('issues distinct keys on each call', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const a = await createKey(t.app, user.accessToken, projectId);
      const b = await createKey(t.app, user.accessToken, projectId);
      expect(a.id).not.toBe(b.id);
      expect(a.key).not.toBe(b.key);
    });

    it('issues a key with a null label when the request has no body at all', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await t.app.inject({ method: 'POST', url: keysUrl(projectId), headers: bearer(user.accessToken) });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ label: null, revoked: false, key: expect.stringMatching(KEY_FORMAT) });
    });

    it('issues a key for the README walkthrough: JSON content type and an empty body', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await t.app.inject({
        method: 'POST',
        url: keysUrl(projectId),
        headers: { ...bearer(user.accessToken), 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ label: null, key: expect.stringMatching(KEY_FORMAT) });
    });

    it('accepts a label of 100 characters and refuses one of 101 with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const ok = await t.app.inject({ method: 'POST', url: keysUrl(projectId), headers: bearer(user.accessToken), payload: { label: 'l'.repeat(100) } });
      expect(ok.statusCode).toBe(201);
      const tooLong = await t.app.inject({ method: 'POST', url: keysUrl(projectId), headers: bearer(user.accessToken), payload: { label: 'l'.repeat(101) } });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json()).toMatchObject({ error: 'validation_error' });
      expect((await listKeys(t.app, user.accessToken, projectId)).json()).toHaveLength(1);
    });

    it('answers 404 when issuing under another user’s project or an unknown or malformed one', async () => {
      const owner = await userWithProject(t.app);
      const intruder = await registerUser(t.app);
      for (const projectId of [owner.projectId, randomUUID(), 'abc']) {
        const response = await t.app.inject({ method: 'POST', url: keysUrl(projectId), headers: bearer(intruder.accessToken), payload: {} });
        expect(response.statusCode, projectId).toBe(404);
        expect(response.json()).toMatchObject({ error: 'not_found' });
      }
      expect((await listKeys(t.app, owner.user.accessToken, owner.projectId)).json()).toEqual([]);
    });
  });

  describe('listing', () => {
    it('lists keys newest first with id, label, prefix, revoked, createdAt and lastUsedAt', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const first = await createKey(t.app, user.accessToken, projectId, { label: 'first' });
      const second = await createKey(t.app, user.accessToken, projectId, { label: 'second' });
      const response = await listKeys(t.app, user.accessToken, projectId);
      expect(response.statusCode).toBe(200);
      const body = response.json<ListedKey[]>();
      expect(body.map((k) => k.id)).toEqual([second.id, first.id]);
      expect(body[1]).toMatchObject({
        id: first.id,
        label: 'first',
        prefix: first.key.split('.')[0],
        revoked: false,
        createdAt: first.createdAt,
        lastUsedAt: null,
      });
    });

    it('never shows the plaintext key nor any digest after creation', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId, { label: 'secret-holder' });
      const secret = issued.key.split('.')[1] ?? '';
      expect(secret.length).toBeGreaterThan(0);
      // A used key has more stored state; check the list both before and after use.
      const before = await listKeys(t.app, user.accessToken, projectId);
      expect((await verifyKey(t.app, issued.key)).statusCode).toBe(200);
      const after = await listKeys(t.app, user.accessToken, projectId);
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

    it('sets lastUsedAt once the key has been verified', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId);
      expect((await listKeys(t.app, user.accessToken, projectId)).json<ListedKey[]>()[0]?.lastUsedAt).toBeNull();
      expect((await verifyKey(t.app, issued.key)).statusCode).toBe(200);

      // Usage is written in the background (every 50 ms in tests): wait for it to land.
      let lastUsedAt: string | null | undefined = null;
      for (let attempt = 0; attempt < 40 && lastUsedAt === null; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        lastUsedAt = (await listKeys(t.app, user.accessToken, projectId)).json<ListedKey[]>()[0]?.lastUsedAt;
      }
      expect(typeof lastUsedAt).toBe('string');
      expect(Number.isNaN(Date.parse(lastUsedAt ?? ''))).toBe(false);
    });

    it('answers 404 for the keys of another user’s project', async () => {
      const owner = await userWithProject(t.app);
      await createKey(t.app, owner.user.accessToken, owner.projectId);
      const intruder = await registerUser(t.app);
      const response = await listKeys(t.app, intruder.accessToken, owner.projectId);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
    });
  });

  describe('revoking', () => {
    it('revokes a key: 204, listed as revoked, and key_revoked on the very next verification', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId);
      // Warm the verification cache so a stale cached copy would show.
      expect((await verifyKey(t.app, issued.key)).statusCode).toBe(200);

      const response = await revokeKey(t.app, user.accessToken, projectId, issued.id);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');

      const refused = await verifyKey(t.app, issued.key);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ valid: false, error: 'key_revoked' });

      const listed = (await listKeys(t.app, user.accessToken, projectId)).json<ListedKey[]>();
      expect(listed).toEqual([expect.objectContaining({ id: issued.id, revoked: true })]);
    });

    it('revoking only that key leaves the project’s other keys working', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const doomed = await createKey(t.app, user.accessToken, projectId);
      const kept = await createKey(t.app, user.accessToken, projectId);
      expect((await revokeKey(t.app, user.accessToken, projectId, doomed.id)).statusCode).toBe(204);
      expect((await verifyKey(t.app, kept.key)).statusCode).toBe(200);
    });

    it('answers 403 already_revoked when a revoked key is revoked again', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId);
      expect((await revokeKey(t.app, user.accessToken, projectId, issued.id)).statusCode).toBe(204);
      const again = await revokeKey(t.app, user.accessToken, projectId, issued.id);
      expect(again.statusCode).toBe(403);
      expect(again.json()).toMatchObject({ error: 'already_revoked' });
    });

    it.each([
      ['an unknown key id', (): string => randomUUID()],
      ['a malformed key id', (): string => 'abc'],
      ['an SQL fragment as key id', (): string => "' OR 1=1 --"],
    ])('answers 404 for %s', async (_case, makeId) => {
      const { user, projectId } = await userWithProject(t.app);
      const response = await revokeKey(t.app, user.accessToken, projectId, makeId());
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
    });

    it('answers 404 for a key of another of the same user’s projects, and leaves it working', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const otherProject = await createProject(t.app, user.accessToken, 'other');
      const issued = await createKey(t.app, user.accessToken, otherProject.id);
      const response = await revokeKey(t.app, user.accessToken, projectId, issued.id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
      expect((await verifyKey(t.app, issued.key)).statusCode).toBe(200);
    });

    it('answers 404 for a key of another user’s project, and leaves it working', async () => {
      const owner = await userWithProject(t.app);
      const issued = await createKey(t.app, owner.user.accessToken, owner.projectId);
      const intruder = await registerUser(t.app);
      const response = await revokeKey(t.app, intruder.accessToken, owner.projectId, issued.id);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'not_found' });
      expect((await verifyKey(t.app, issued.key)).statusCode).toBe(200);
    });
  });

  describe('rotating', () => {
    it('rotates a key: 201 with a new id and key; the old key is key_revoked at once and the new one verifies', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const old = await createKey(t.app, user.accessToken, projectId, { label: 'rotating' });
      expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);

      const response = await rotateKey(t.app, user.accessToken, projectId, old.id);
      expect(response.statusCode).toBe(201);
      const rotated = response.json<IssuedKeyBody>();
      expect(rotated).toMatchObject({ revoked: false, label: 'rotating' });
      expect(rotated.id).toMatch(UUID);
      expect(rotated.id).not.toBe(old.id);
      expect(rotated.key).toMatch(KEY_FORMAT);
      expect(rotated.key).not.toBe(old.key);
      expect(Number.isNaN(Date.parse(rotated.createdAt))).toBe(false);
      expect(rotated.previousKeyExpiresAt).toBeUndefined();

      const oldVerify = await verifyKey(t.app, old.key);
      expect(oldVerify.statusCode).toBe(403);
      expect(oldVerify.json()).toEqual({ valid: false, error: 'key_revoked' });
      const newVerify = await verifyKey(t.app, rotated.key);
      expect(newVerify.statusCode).toBe(200);
      expect(newVerify.json()).toMatchObject({ valid: true, projectId });

      const listed = (await listKeys(t.app, user.accessToken, projectId)).json<ListedKey[]>();
      expect(listed.map((k) => [k.id, k.revoked])).toEqual([
        [rotated.id, false],
        [old.id, true],
      ]);
    });

    it('refuses to rotate a revoked key with 403', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId);
      expect((await revokeKey(t.app, user.accessToken, projectId, issued.id)).statusCode).toBe(204);
      const response = await rotateKey(t.app, user.accessToken, projectId, issued.id);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: 'already_revoked' });
      expect((await listKeys(t.app, user.accessToken, projectId)).json()).toHaveLength(1);
    });

    it('refuses to rotate a key that was already rotated with 403', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId);
      expect((await rotateKey(t.app, user.accessToken, projectId, issued.id)).statusCode).toBe(201);
      const again = await rotateKey(t.app, user.accessToken, projectId, issued.id);
      expect(again.statusCode).toBe(403);
    });

    it.each([
      ['a negative grace period', { gracePeriodSeconds: -1 }],
      ['a fractional grace period', { gracePeriodSeconds: 1.5 }],
      ['a grace period given as text', { gracePeriodSeconds: '60' }],
    ])('refuses %s with 400 and leaves the key working', async (_case, payload) => {
      const { user, projectId } = await userWithProject(t.app);
      const issued = await createKey(t.app, user.accessToken, projectId);
      const response = await rotateKey(t.app, user.accessToken, projectId, issued.id, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
      expect((await verifyKey(t.app, issued.key)).statusCode).toBe(200);
    });

    it('answers 404 when rotating an unknown, malformed or foreign key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const owner = await userWithProject(t.app);
      const foreign = await createKey(t.app, owner.user.accessToken, owner.projectId);
      for (const [project, keyId] of [
        [projectId, randomUUID()],
        [projectId, 'abc'],
        [projectId, foreign.id],
        [owner.projectId, foreign.id],
      ] as const) {
        const response = await rotateKey(t.app, user.accessToken, project, keyId);
        expect(response.statusCode, `${project}/${keyId}`).toBe(404);
      }
      expect((await verifyKey(t.app, foreign.key)).statusCode).toBe(200);
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', ''],
      ['POST', ''],
      ['DELETE', '/00000000-0000-4000-8000-000000000000'],
      ['POST', '/00000000-0000-4000-8000-000000000000/rotate'],
    ] as const)('refuses %s …/keys%s without an access token (401)', async (method, suffix) => {
      const { projectId } = await userWithProject(t.app);
      const response = await t.app.inject({ method, url: `${keysUrl(projectId)}${suffix}`, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'unauthorized' });
    });
  });
});

describe(`api key rotation with a grace period (${backend})`, () => {
  let t: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock();
    t = await startApp({ clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the old key valid until the overlap ends, then answers key_revoked', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const old = await createKey(t.app, user.accessToken, projectId);
    expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);

    const response = await rotateKey(t.app, user.accessToken, projectId, old.id, { gracePeriodSeconds: 60 });
    expect(response.statusCode).toBe(201);
    const rotated = response.json<IssuedKeyBody>();
    expect(rotated.id).not.toBe(old.id);
    expect(rotated.key).toMatch(KEY_FORMAT);
    expect(rotated.previousKeyExpiresAt).toBe(new Date(clock.now() + 60_000).toISOString());

    // During the overlap both keys work.
    expect((await verifyKey(t.app, old.key)).statusCode).toBe(200);
    expect((await verifyKey(t.app, rotated.key)).statusCode).toBe(200);
    const during = (await listKeys(t.app, user.accessToken, projectId)).json<ListedKey[]>();
    expect(during.find((k) => k.id === old.id)?.revoked).toBe(false);

    clock.advance(61_000);

    const oldAfter = await verifyKey(t.app, old.key);
    expect(oldAfter.statusCode).toBe(403);
    expect(oldAfter.json()).toEqual({ valid: false, error: 'key_revoked' });
    expect((await verifyKey(t.app, rotated.key)).statusCode).toBe(200);
    const after = (await listKeys(t.app, user.accessToken, projectId)).json<ListedKey[]>();
    expect(after.find((k) => k.id === old.id)?.revoked).toBe(true);
  });

  it('refuses to rotate a key that is already in its overlap', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const old = await createKey(t.app, user.accessToken, projectId);
    expect((await rotateKey(t.app, user.accessToken, projectId, old.id, { gracePeriodSeconds: 60 })).statusCode).toBe(201);
    const again = await rotateKey(t.app, user.accessToken, projectId, old.id, { gracePeriodSeconds: 60 });
    expect(again.statusCode).toBe(403);
  });
});
