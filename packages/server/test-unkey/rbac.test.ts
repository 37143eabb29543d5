import type { APIError} from '@unkey/api/models/errors';
import { BadRequestErrorResponse, ConflictErrorResponse, ForbiddenErrorResponse, NotFoundErrorResponse } from '@unkey/api/models/errors';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, registerUser } from '../test/helpers/harness.js';
import { ALL_API_PERMISSIONS, ALL_RBAC_PERMISSIONS, startUnkeyWorld, type UnkeyWorld } from './helpers.js';

let world: UnkeyWorld;
let apiId: string;

beforeAll(async () => {
  world = await startUnkeyWorld();
  apiId = (await world.unkey.apis.createApi({ name: 'rbac-suite' })).data.apiId;
});
afterAll(async () => {
  await world.close();
});

const caught = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e);
const unique = (name: string): string => `${name}${Math.random().toString(36).slice(2, 8)}`;
const verify = async (key: string, permissions?: string) => (await world.unkey.keys.verifyKey({ key, ...(permissions !== undefined ? { permissions } : {}) })).data;
const verifyV1 = async (key: string, scopes: string[]): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${world.baseUrl}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('permissions.*', () => {
  it('creates, gets (by id or slug), lists in pages and deletes permissions', async () => {
    const slug = unique('docs.read.');
    const { permissionId } = (await world.unkey.permissions.createPermission({ name: slug, slug, description: 'read the docs' })).data;
    expect(permissionId).toMatch(/^perm_/);
    expect((await world.unkey.permissions.getPermission({ permission: permissionId })).data).toEqual({ id: permissionId, name: slug, slug, description: 'read the docs' });
    expect((await world.unkey.permissions.getPermission({ permission: slug })).data.id).toBe(permissionId);

    const slugs = await Promise.all([1, 2, 3].map(async (i) => {
      const s = unique(`paged.${i}.`);
      await world.unkey.permissions.createPermission({ name: s, slug: s });
      return s;
    }));
    // The SDK's page iterator walks every page.
    const seen: string[] = [];
    for await (const page of await world.unkey.permissions.listPermissions({ limit: 2, search: 'paged.' })) seen.push(...page.result.data.map((p) => p.slug));
    expect(seen.sort()).toEqual([...slugs].sort());

    await world.unkey.permissions.deletePermission({ permission: slug });
    expect(await caught(world.unkey.permissions.getPermission({ permission: permissionId }))).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('refuses a taken slug (409), a bad slug (400), and unknown ids (404)', async () => {
    const slug = unique('taken.');
    await world.unkey.permissions.createPermission({ name: slug, slug });
    expect(await caught(world.unkey.permissions.createPermission({ name: unique('other'), slug }))).toBeInstanceOf(ConflictErrorResponse);
    const bad = await caught(world.unkey.permissions.createPermission({ name: 'x', slug: '1 has spaces' }));
    expect(bad).toBeInstanceOf(BadRequestErrorResponse);
    expect((bad as BadRequestErrorResponse).error.errors[0]?.location).toBe('body.slug');
    expect(await caught(world.unkey.permissions.getPermission({ permission: 'perm_0000' }))).toBeInstanceOf(NotFoundErrorResponse);
    expect(await caught(world.unkey.permissions.deletePermission({ permission: 'perm_0000' }))).toBeInstanceOf(NotFoundErrorResponse);
    const badCursor = await caught(world.unkey.permissions.listPermissions({ cursor: 'not-a-cursor' }));
    expect(badCursor).toBeInstanceOf(BadRequestErrorResponse);
  });

  it('creates roles with permissions (creating missing ones), gets, lists and deletes them', async () => {
    const existing = unique('billing.read.');
    await world.unkey.permissions.createPermission({ name: existing, slug: existing });
    const fresh = unique('billing.write.');
    const name = unique('Billing Manager ');
    const { roleId } = (await world.unkey.permissions.createRole({ name, description: 'billing', permissions: [existing, fresh] })).data;
    expect(roleId).toMatch(/^role_/);
    const role = (await world.unkey.permissions.getRole({ role: name })).data;
    expect(role).toMatchObject({ id: roleId, name, description: 'billing' });
    expect(role.permissions?.map((p) => p.slug).sort()).toEqual([existing, fresh].sort());
    expect((await world.unkey.permissions.getPermission({ permission: fresh })).data.name).toBe(fresh);

    const listed: string[] = [];
    for await (const page of await world.unkey.permissions.listRoles({ limit: 1, search: name })) listed.push(...page.result.data.map((r) => r.id));
    expect(listed).toEqual([roleId]);
    expect(await caught(world.unkey.permissions.createRole({ name }))).toBeInstanceOf(ConflictErrorResponse);

    await world.unkey.permissions.deleteRole({ role: roleId });
    expect(await caught(world.unkey.permissions.getRole({ role: roleId }))).toBeInstanceOf(NotFoundErrorResponse);
    // Unkey's SDK declares no typed 404 for deleteRole: its generic APIError carries the status.
    expect(((await caught(world.unkey.permissions.deleteRole({ role: roleId }))) as APIError).statusCode).toBe(404);
  });

  it('is 403 without the rbac.* permission, and for a role with unknown permissions without rbac.*.create_permission', async () => {
    const apiOnly = world.sdk(await world.rootKeyWith(ALL_API_PERMISSIONS));
    expect(await caught(apiOnly.permissions.createPermission({ name: 'nope', slug: 'nope' }))).toBeInstanceOf(ForbiddenErrorResponse);
    expect(await caught(apiOnly.permissions.listPermissions({}))).toBeInstanceOf(ForbiddenErrorResponse);
    expect(await caught(apiOnly.permissions.listRoles({}))).toBeInstanceOf(ForbiddenErrorResponse);
    const rolesOnly = world.sdk(await world.rootKeyWith(['rbac.*.create_role']));
    expect(await caught(rolesOnly.permissions.createRole({ name: unique('r'), permissions: [unique('never.made.')] }))).toBeInstanceOf(ForbiddenErrorResponse);
    // A key's unknown permission is refused as well, and no key is made.
    expect(await caught(apiOnly.keys.createKey({ apiId, permissions: [unique('unknown.')] }))).toBeInstanceOf(ForbiddenErrorResponse);
  });

  it("another workspace's permissions and roles are 404", async () => {
    const slug = unique('mine.');
    const { permissionId } = (await world.unkey.permissions.createPermission({ name: slug, slug })).data;
    const { roleId } = (await world.unkey.permissions.createRole({ name: unique('mine') })).data;
    const stranger = await registerUser(world.server.app);
    const workspaces = json<Array<{ id: string }>>(await world.server.app.inject({ method: 'GET', url: '/v1/workspaces', headers: bearer(stranger.accessToken) }));
    const created = await world.server.app.inject({ method: 'POST', url: `/v1/workspaces/${(workspaces[0] as { id: string }).id}/root-keys`, headers: bearer(stranger.accessToken), payload: { name: 'x', permissions: ALL_RBAC_PERMISSIONS } });
    const theirs = world.sdk(json<{ key: string }>(created).key);
    expect(await caught(theirs.permissions.getPermission({ permission: permissionId }))).toBeInstanceOf(NotFoundErrorResponse);
    expect(((await caught(theirs.permissions.deleteRole({ role: roleId }))) as APIError).statusCode).toBe(404);
    expect(await caught(theirs.permissions.getRole({ role: roleId }))).toBeInstanceOf(NotFoundErrorResponse);
    expect((await theirs.permissions.listPermissions({})).result.data).toEqual([]);
    const { keyId } = (await world.unkey.keys.createKey({ apiId })).data;
    expect(await caught(theirs.keys.addRoles({ keyId, roles: [roleId] }))).toBeInstanceOf(NotFoundErrorResponse);
  });
});

describe('keys.* permissions and roles', () => {
  it('add, set and remove direct permissions; the answers list them; verify sees them', async () => {
    const read = unique('doc.read.');
    const write = unique('doc.write.');
    const { keyId, key } = (await world.unkey.keys.createKey({ apiId, permissions: [read] })).data;
    const added = (await world.unkey.keys.addPermissions({ keyId, permissions: [write, read] })).data;
    expect(added.map((p) => p.slug).sort()).toEqual([read, write].sort());
    expect((await verify(key, `${read} AND ${write}`)).code).toBe('VALID');
    const removed = (await world.unkey.keys.removePermissions({ keyId, permissions: [write] })).data;
    expect(removed.map((p) => p.slug)).toEqual([read]);
    expect((await verify(key, write)).code).toBe('INSUFFICIENT_PERMISSIONS');
    const set = (await world.unkey.keys.setPermissions({ keyId, permissions: [write] })).data;
    expect(set.map((p) => p.slug)).toEqual([write]);
    expect((await world.unkey.keys.getKey({ keyId })).data.permissions).toEqual([write]);
    expect((await verify(key, read)).code).toBe('INSUFFICIENT_PERMISSIONS');
  });

  it('roles grant their permissions to /v2 queries and to /v1/verify scopes; changes are seen on the next verification', async () => {
    const read = unique('inv.read.');
    const write = unique('inv.write.');
    const reader = unique('reader');
    const writerName = unique('writer');
    const { roleId: readerId } = (await world.unkey.permissions.createRole({ name: reader, permissions: [read] })).data;
    await world.unkey.permissions.createRole({ name: writerName, permissions: [write] });
    const { keyId, key } = (await world.unkey.keys.createKey({ apiId, roles: [reader] })).data;

    const got = (await world.unkey.keys.getKey({ keyId })).data;
    expect(got.roles).toEqual([reader]);
    expect(got.permissions).toBeUndefined();
    expect((await world.unkey.keys.whoami({ key })).data.roles).toEqual([reader]);
    const listed = (await world.unkey.apis.listKeys({ apiId })).result.data.find((k) => k.keyId === keyId);
    expect(listed?.roles).toEqual([reader]);
    const answer = await verify(key, `${read} OR nothing`);
    expect(answer).toMatchObject({ valid: true, code: 'VALID', permissions: [read], roles: [reader] });
    expect((await verify(key, `${read} AND ${write}`)).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await verifyV1(key, [read])).body.valid).toBe(true);
    expect((await verifyV1(key, [write])).body).toMatchObject({ valid: false, error: 'insufficient_scope' });

    // The key gains a role: both endpoints see it on the very next call (the cache was told).
    const roles = (await world.unkey.keys.addRoles({ keyId, roles: [writerName] })).data;
    expect(roles.map((r) => r.name).sort()).toEqual([reader, writerName].sort());
    expect((await verify(key, `${read} AND ${write}`)).code).toBe('VALID');
    expect((await verifyV1(key, [read, write])).body.valid).toBe(true);

    // The role loses its permission.
    await world.unkey.permissions.setRolePermissions({ roleId: readerId, permissions: [] });
    expect((await verify(key, read)).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await verifyV1(key, [read])).body.valid).toBe(false);
    await world.unkey.permissions.setRolePermissions({ roleId: readerId, permissions: [read] });
    expect((await verifyV1(key, [read])).body.valid).toBe(true);

    // The key loses a role; then its roles are set; then the role is deleted.
    expect((await world.unkey.keys.removeRoles({ keyId, roles: [writerName] })).data.map((r) => r.name)).toEqual([reader]);
    expect((await verify(key, write)).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await world.unkey.keys.setRoles({ keyId, roles: [writerName] })).data.map((r) => r.name)).toEqual([writerName]);
    expect((await verifyV1(key, [read])).body.valid).toBe(false);
    expect((await verifyV1(key, [write])).body.valid).toBe(true);
    await world.unkey.permissions.deleteRole({ role: writerName });
    expect((await verifyV1(key, [write])).body.valid).toBe(false);
    expect((await world.unkey.keys.getKey({ keyId })).data.roles).toBeUndefined();
  });

  it('deleting a permission takes it from keys that hold it directly and through roles', async () => {
    const slug = unique('gone.');
    const role = unique('holder');
    await world.unkey.permissions.createRole({ name: role, permissions: [slug] });
    const direct = (await world.unkey.keys.createKey({ apiId, permissions: [slug] })).data;
    const viaRole = (await world.unkey.keys.createKey({ apiId, roles: [role] })).data;
    expect((await verify(direct.key, slug)).valid).toBe(true);
    expect((await verify(viaRole.key, slug)).valid).toBe(true);
    await world.unkey.permissions.deletePermission({ permission: slug });
    expect((await verify(direct.key, slug)).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await verify(viaRole.key, slug)).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await world.unkey.keys.getKey({ keyId: direct.keyId })).data.permissions).toBeUndefined();
  });

  it('updateKey replaces roles and permissions; a reroll keeps the roles', async () => {
    const slug = unique('upd.');
    const role = unique('upd');
    await world.unkey.permissions.createRole({ name: role, permissions: [slug] });
    const { keyId } = (await world.unkey.keys.createKey({ apiId, permissions: ['a.b'] })).data;
    await world.unkey.keys.updateKey({ keyId, roles: [role], permissions: [] });
    const got = (await world.unkey.keys.getKey({ keyId })).data;
    expect(got.roles).toEqual([role]);
    expect(got.permissions).toBeUndefined();
    const rerolled = (await world.unkey.keys.rerollKey({ keyId, expiration: 0 })).data;
    expect((await world.unkey.keys.getKey({ keyId: rerolled.keyId })).data.roles).toEqual([role]);
    expect((await verify(rerolled.key, slug)).code).toBe('VALID');
    await world.unkey.keys.updateKey({ keyId: rerolled.keyId, roles: [] });
    expect((await verify(rerolled.key, slug)).code).toBe('INSUFFICIENT_PERMISSIONS');
  });

  it('migrateKeys imports keys with their roles and permissions', async () => {
    const role = unique('imported');
    await world.unkey.permissions.createRole({ name: role, permissions: ['legacy.read'] });
    const existing = `legacy_${randomUUID()}`;
    const hash = createHash('sha256').update(existing).digest('base64');
    const { migrated } = (await world.unkey.keys.migrateKeys({ migrationId: 'rbac', apiId, keys: [{ hash, roles: [role], permissions: ['legacy.write'] }] })).data;
    expect(migrated).toHaveLength(1);
    expect((await verify(existing, 'legacy.read AND legacy.write')).code).toBe('VALID');
    const unknownRole = await caught(world.unkey.keys.migrateKeys({ migrationId: 'rbac', apiId, keys: [{ hash: createHash('sha256').update(randomUUID()).digest('base64'), roles: ['no such role'] }] }));
    expect(unknownRole).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('refuses unknown roles (404, nothing changes), unknown keys (404), missing permissions (403) and bad bodies (400)', async () => {
    const role = unique('known');
    await world.unkey.permissions.createRole({ name: role });
    const { keyId } = (await world.unkey.keys.createKey({ apiId, roles: [role] })).data;
    expect(await caught(world.unkey.keys.addRoles({ keyId, roles: [role, 'role_doesnotexist'] }))).toBeInstanceOf(NotFoundErrorResponse);
    expect((await world.unkey.keys.getKey({ keyId })).data.roles).toEqual([role]);
    expect(await caught(world.unkey.keys.createKey({ apiId, roles: ['no such role'] }))).toBeInstanceOf(NotFoundErrorResponse);
    expect(await caught(world.unkey.keys.addRoles({ keyId: '00000000-0000-4000-8000-000000000000', roles: [role] }))).toBeInstanceOf(NotFoundErrorResponse);
    expect(await caught(world.unkey.keys.addPermissions({ keyId: 'key_nope', permissions: ['x'] }))).toBeInstanceOf(NotFoundErrorResponse);
    // A permission named by an id that is not the workspace's is a 404, never created as a slug.
    expect(await caught(world.unkey.keys.addPermissions({ keyId, permissions: ['perm_0123456789abcdef0123456789abcdef'] }))).toBeInstanceOf(NotFoundErrorResponse);
    const apiOnly = world.sdk(await world.rootKeyWith(ALL_API_PERMISSIONS));
    expect(await caught(apiOnly.keys.addRoles({ keyId, roles: [role] }))).toBeInstanceOf(ForbiddenErrorResponse);
    expect(await caught(apiOnly.keys.removePermissions({ keyId, permissions: ['x'] }))).toBeInstanceOf(ForbiddenErrorResponse);
    // Making a key with roles needs create_key and add_role_to_key, not update_key.
    const creator = world.sdk(await world.rootKeyWith(['api.*.create_key', 'api.*.read_key', 'rbac.*.add_role_to_key']));
    const made = (await creator.keys.createKey({ apiId, roles: [role] })).data;
    expect((await world.unkey.keys.getKey({ keyId: made.keyId })).data.roles).toEqual([role]);
    const rbacOnly = world.sdk(await world.rootKeyWith(ALL_RBAC_PERMISSIONS));
    expect(await caught(rbacOnly.keys.setRoles({ keyId, roles: [] }))).toBeInstanceOf(ForbiddenErrorResponse);
    const raw = await world.post('/v2/keys.addRoles', { keyId, roles: 'not-a-list' });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { errors: unknown[] } }).error.errors.length).toBeGreaterThan(0);
  });
});
