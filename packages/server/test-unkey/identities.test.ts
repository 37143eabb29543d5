import { ManualClock } from '@elyzor/core';
import { ConflictErrorResponse, ForbiddenErrorResponse, NotFoundErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../test/helpers/harness.js';
import { ALL_API_PERMISSIONS, startUnkeyWorld, type UnkeyWorld } from './helpers.js';

const clock = new ManualClock(Date.UTC(2026, 5, 10, 12));
const IDENTITY_PERMISSIONS = ['identity.*.create_identity', 'identity.*.read_identity', 'identity.*.update_identity', 'identity.*.delete_identity'];
let world: UnkeyWorld;
let rootKey: string;
let apiId: string;
let run = 0;
/** A fresh externalId per test: the suites of both backends may share a database. */
const external = (name: string): string => `${name}_${Date.now().toString(36)}_${run++}`;

beforeAll(async () => {
  world = await startUnkeyWorld({ clock });
  rootKey = await world.rootKeyWith([...ALL_API_PERMISSIONS, ...IDENTITY_PERMISSIONS]);
  world.unkey = world.sdk(rootKey);
  apiId = (await world.unkey.apis.createApi({ name: 'identities-suite' })).data.apiId;
});
afterAll(async () => {
  await world.close();
});

const verify = (key: string, extra: Record<string, unknown> = {}) => world.unkey.keys.verifyKey({ key, ...extra }).then((r) => r.data);

describe('identities.createIdentity / getIdentity / updateIdentity / deleteIdentity', () => {
  it('creates an identity, reads it by id or externalId, updates and deletes it', async () => {
    const externalId = external('user');
    const { identityId } = (await world.unkey.identities.createIdentity({ externalId, meta: { plan: 'pro' }, ratelimits: [{ name: 'tokens', limit: 10, duration: 60_000, autoApply: true }] })).data;
    const byId = (await world.unkey.identities.getIdentity({ identity: identityId })).data;
    expect(byId).toMatchObject({ id: identityId, externalId, meta: { plan: 'pro' }, ratelimits: [{ name: 'tokens', limit: 10, duration: 60_000, autoApply: true }] });
    expect((await world.unkey.identities.getIdentity({ identity: externalId })).data.id).toBe(identityId);

    // meta null clears it; ratelimits replace the list; left out, a field stays.
    // (The SDK sends no null meta: a raw request does.)
    const cleared = await world.post('/v2/identities.updateIdentity', { identity: externalId, meta: null, ratelimits: [{ name: 'calls', limit: 5, duration: 1000 }] }, { authorization: `Bearer ${rootKey}` });
    expect(cleared.status).toBe(200);
    const updated = ((await cleared.json()) as { data: Record<string, unknown> }).data;
    expect(updated).toMatchObject({ id: identityId, externalId, ratelimits: [{ name: 'calls', limit: 5, duration: 1000, autoApply: false }] });
    expect(updated.meta).toBeUndefined();
    expect((await world.unkey.identities.updateIdentity({ identity: identityId, meta: { plan: 'free' } })).data).toMatchObject({ meta: { plan: 'free' }, ratelimits: [{ name: 'calls' }] });

    await world.unkey.identities.deleteIdentity({ identity: identityId });
    expect(await world.unkey.identities.getIdentity({ identity: identityId }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
    // Every change is in the workspace's audit log, by the root key that made it.
    const audit = await world.server.app.inject({ method: 'GET', url: `/v1/workspaces/${world.workspaceId}/audit?limit=100`, headers: bearer(world.owner.accessToken) });
    const entries = (audit.json() as Array<{ action: string; targetType: string; targetId: string; actorType?: string }>).filter((e) => e.targetId === identityId);
    expect(entries.map((e) => [e.action, e.targetType, e.actorType]).reverse()).toEqual([
      ['identity.created', 'identity', 'root_key'],
      ['identity.updated', 'identity', 'root_key'],
      ['identity.updated', 'identity', 'root_key'],
      ['identity.deleted', 'identity', 'root_key'],
    ]);
    expect(await world.unkey.identities.deleteIdentity({ identity: identityId }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('a taken externalId is a typed 409; an unknown identity a typed 404', async () => {
    const externalId = external('taken');
    await world.unkey.identities.createIdentity({ externalId });
    const conflict = await world.unkey.identities.createIdentity({ externalId }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictErrorResponse);
    expect((conflict as ConflictErrorResponse).data$.error.type).toMatch(/identity_already_exists$/);
    expect(await world.unkey.identities.getIdentity({ identity: 'nobody-at-all' }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
    expect(await world.unkey.identities.updateIdentity({ identity: '00000000-0000-4000-8000-000000000000', meta: {} }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('each action needs its identity.*.<action> permission (a typed 403)', async () => {
    const reader = world.sdk(await world.rootKeyWith(['identity.*.read_identity']));
    const externalId = external('guarded');
    expect(await reader.identities.createIdentity({ externalId }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    await world.unkey.identities.createIdentity({ externalId });
    expect((await reader.identities.getIdentity({ identity: externalId })).data.externalId).toBe(externalId);
    expect(await reader.identities.updateIdentity({ identity: externalId, meta: {} }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    expect(await reader.identities.deleteIdentity({ identity: externalId }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    const keysOnly = world.sdk(await world.rootKeyWith(ALL_API_PERMISSIONS));
    expect(await keysOnly.identities.getIdentity({ identity: externalId }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
  });

  it('another workspace’s identity is a 404', async () => {
    const other = await startUnkeyWorld();
    try {
      const theirs = other.sdk(await other.rootKeyWith(IDENTITY_PERMISSIONS));
      const externalId = external('theirs');
      const { identityId } = (await theirs.identities.createIdentity({ externalId })).data;
      expect(await world.unkey.identities.getIdentity({ identity: identityId }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
      expect(await world.unkey.identities.getIdentity({ identity: externalId }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
    } finally {
      await other.close();
    }
  });
});

describe('identities.listIdentities', () => {
  it('pages with the SDK’s page iterator, newest first; search matches within externalIds', async () => {
    const tag = external('paged');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await world.unkey.identities.createIdentity({ externalId: `${tag}_${i}` })).data.identityId);
      clock.advance(1);
    }
    const seen: string[] = [];
    let pages = 0;
    for await (const page of await world.unkey.identities.listIdentities({ limit: 2, search: tag })) {
      pages++;
      expect(page.result.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.result.data.map((identity) => identity.id));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
  });
});

describe('keys and their identity', () => {
  it('createKey’s externalId links an existing identity, or makes one; getKey, listKeys and verifyKey show it', async () => {
    const externalId = external('linked');
    const { identityId } = (await world.unkey.identities.createIdentity({ externalId, meta: { tier: 'gold' } })).data;
    const { keyId, key } = (await world.unkey.keys.createKey({ apiId, externalId })).data;
    expect((await world.unkey.keys.getKey({ keyId })).data.identity).toEqual({ id: identityId, externalId, meta: { tier: 'gold' } });
    const answer = await verify(key);
    expect(answer).toMatchObject({ valid: true, code: 'VALID', identity: { id: identityId, externalId, meta: { tier: 'gold' } } });

    const fresh = external('made');
    const second = (await world.unkey.keys.createKey({ apiId, externalId: fresh })).data;
    const made = (await world.unkey.identities.getIdentity({ identity: fresh })).data;
    expect(made).toEqual({ id: made.id, externalId: fresh });
    const listed = await world.unkey.apis.listKeys({ apiId, externalId: fresh });
    expect(listed.result.data.map((k) => [k.keyId, k.identity?.id])).toEqual([[second.keyId, made.id]]);

    // A deleted identity leaves its keys, without it.
    await world.unkey.identities.deleteIdentity({ identity: fresh });
    expect((await world.unkey.keys.getKey({ keyId: second.keyId })).data.identity).toBeUndefined();
    expect((await verify(second.key)).identity).toBeUndefined();
  });

  it('the identity’s limits are shared by all its keys; a key’s limit of the same name overrides it', async () => {
    const externalId = external('shared');
    await world.unkey.identities.createIdentity({ externalId, ratelimits: [{ name: 'requests', limit: 3, duration: 60_000, autoApply: true }, { name: 'heavy', limit: 1, duration: 60_000 }] });
    const a = (await world.unkey.keys.createKey({ apiId, externalId })).data.key;
    const b = (await world.unkey.keys.createKey({ apiId, externalId, credits: { remaining: 10 } })).data.key;
    expect((await verify(a)).code).toBe('VALID');
    expect((await verify(b)).code).toBe('VALID');
    const third = await verify(a);
    expect(third.code).toBe('VALID');
    expect(third.ratelimits).toEqual([expect.objectContaining({ name: 'requests', limit: 3, duration: 60_000, remaining: 0, exceeded: false, autoApply: true })]);
    const limited = await verify(b);
    expect(limited).toMatchObject({ valid: false, code: 'RATE_LIMITED', ratelimits: [expect.objectContaining({ name: 'requests', exceeded: true })] });
    // The rate-limited call spent no credit.
    expect(limited.credits).toBe(9);

    // Not auto-applied: counted only when named, with its cost; an unknown name is a 412.
    const own = (await world.unkey.keys.createKey({ apiId, externalId, ratelimits: [{ name: 'requests', limit: 100, duration: 60_000, autoApply: true }] })).data.key;
    const named = await verify(own, { ratelimits: [{ name: 'heavy' }] });
    expect(named.code).toBe('VALID');
    expect(named.ratelimits?.map((r) => [r.name, r.limit, r.remaining])).toEqual([
      ['requests', 100, 99],
      ['heavy', 1, 0],
    ]);
    expect((await verify(own, { ratelimits: [{ name: 'heavy' }] })).code).toBe('RATE_LIMITED');
    // The key's own `requests` (100) applies instead of the identity's spent one (3).
    expect((await verify(own)).code).toBe('VALID');
    const unknown = await world.post('/v2/keys.verifyKey', { key: own, ratelimits: [{ name: 'nope' }] }, { authorization: `Bearer ${await world.rootKeyWith(ALL_API_PERMISSIONS)}` });
    expect(unknown.status).toBe(412);
  });
});
