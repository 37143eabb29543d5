import { randomUUID } from 'node:crypto';
import { Unkey } from '@unkey/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, startApp, type TestApp } from '../test/helpers/harness.js';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

/**
 * A change of what a key is granted, made on one instance, is seen by the next verification on
 * another (the change drops the key from every instance's cache through the Redis bus).
 */
describe.runIf(backend === 'real')('RBAC changes across two instances on one PostgreSQL and Redis', () => {
  let a: UnkeyWorld;
  let b: TestApp;
  let onB: Unkey;
  let bUrl: string;

  beforeAll(async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    a = await startUnkeyWorld({ redisPrefix, logLevel: 'silent' });
    b = await startApp({ redisPrefix, logLevel: 'silent', env: { JWT_SECRET: a.server.config.jwtSecret ?? '' } });
    bUrl = await b.app.listen({ port: 0, host: '127.0.0.1' });
    onB = new Unkey({ rootKey: a.rootKey, serverURL: bUrl });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const scopeOnB = async (key: string, scope: string): Promise<boolean> => {
    const response = await fetch(`${bUrl}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes: [scope] }) });
    return ((await response.json()) as { valid: boolean }).valid;
  };

  it('a role losing a permission, and a key losing a role, on one instance are seen on the other', async () => {
    const apiId = (await a.unkey.apis.createApi({ name: 'two-instances' })).data.apiId;
    const { roleId } = (await a.unkey.permissions.createRole({ name: 'reader', permissions: ['docs.read', 'docs.list'] })).data;
    const { keyId, key } = (await a.unkey.keys.createKey({ apiId, roles: ['reader'] })).data;
    // B caches the key with its roles' permissions.
    expect((await onB.keys.verifyKey({ key, permissions: 'docs.read' })).data.code).toBe('VALID');
    expect(await scopeOnB(key, 'docs.list')).toBe(true);

    await a.unkey.permissions.setRolePermissions({ roleId, permissions: ['docs.list'] });
    expect((await onB.keys.verifyKey({ key, permissions: 'docs.read' })).data.code).toBe('INSUFFICIENT_PERMISSIONS');
    expect(await scopeOnB(key, 'docs.list')).toBe(true);

    await a.unkey.keys.removeRoles({ keyId, roles: [roleId] });
    expect(await scopeOnB(key, 'docs.list')).toBe(false);
    await a.unkey.keys.addPermissions({ keyId, permissions: ['docs.read'] });
    expect(await scopeOnB(key, 'docs.read')).toBe(true);
  });
});
