import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createKey, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';

describe(`smoke (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('issues a key that verifies, and refuses it once revoked', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const ok = await verifyKey(t.app, key.key);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ valid: true, projectId, rateLimitRemaining: 99 });
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(revoke.statusCode).toBe(204);
    const refused = await verifyKey(t.app, key.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ valid: false, error: 'key_revoked' });
  });
});
