import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createDigester } from '../keys/digest.js';
import { generateCredential, parseCredential } from '../keys/key-format.js';
import { MemoryLimiter } from '../limiter/limiter.js';
import type { Ctx } from './context.js';
import { credentialVerbs, type CredentialVerbs } from './credential-verbs.js';
import { MemoryCredentialStore } from './memory-store.js';

const owner = randomUUID();
const ctx: Ctx = { actor: { type: 'user', userId: owner }, requestId: 'req-1', ip: '10.0.0.1' };
const stranger: Ctx = { actor: { type: 'user', userId: randomUUID() } };

describe('credential verbs over the memory store', () => {
  let clock: ManualClock;
  let store: MemoryCredentialStore;
  let verbs: CredentialVerbs;
  let published: string[][];
  const projectId = randomUUID();
  const workspaceId = randomUUID();

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    store = new MemoryCredentialStore(clock);
    store.putProject({ id: projectId, name: 'p', ownerId: owner, workspaceId });
    store.putMember(workspaceId, owner, 'owner');
    published = [];
    verbs = credentialVerbs({
      store,
      bus: {
        publish: (ids) => {
          published.push([...ids]);
          return Promise.resolve();
        },
      },
      clock,
      digest: createDigester(),
      generate: generateCredential,
      limiter: new MemoryLimiter(clock),
    });
  });

  it('creates a key, audits it with its caller, and announces its public id', async () => {
    const issued = await verbs.create({ ctx, input: { projectId, kind: 'key', label: 'ci', scopes: ['read', 'read'] } });
    const parsed = parseCredential(issued.key);
    expect(parsed?.type).toBe('sk');
    expect(issued).toMatchObject({ label: 'ci', scopes: ['read'], status: 'active', prefix: `sk_live_${parsed?.publicId}` });
    expect(published).toEqual([[parsed?.publicId]]);
    expect(store.auditLog).toEqual([
      expect.objectContaining({ action: 'key.created', actorId: owner, requestId: 'req-1', ip: '10.0.0.1', targetId: issued.id }),
    ]);
    expect(JSON.stringify(store.auditLog)).not.toContain(issued.key);
  });

  it.each(['key', 'service'] as const)('emits a %s event for each change, from views: never the plaintext nor its digest', async (kind) => {
    const name = kind === 'service' ? { name: 'billing' } : {};
    const issued = await verbs.create({ ctx, input: { projectId, kind, ...name } });
    await verbs.update({ ctx, input: { projectId, kind, id: issued.id, changes: { enabled: false } } });
    await verbs.update({ ctx, input: { projectId, kind, id: issued.id, changes: { enabled: true, tags: ['t'] } } });
    await verbs.update({ ctx, input: { projectId, kind, id: issued.id, changes: {} } });
    const rotated = await verbs.rotate({ ctx, input: { projectId, kind, id: issued.id } });
    await verbs.revoke({ ctx, input: { projectId, kind, id: rotated.id } });
    expect(store.outbox.map((e) => e.type)).toEqual([`${kind}.created`, `${kind}.disabled`, `${kind}.updated`, `${kind}.rotated`, `${kind}.revoked`]);
    expect(store.outbox[0]).toEqual({ projectId, type: `${kind}.created`, data: { projectId, [kind]: expect.objectContaining({ id: issued.id, status: 'active' }) } });
    expect(store.outbox[3]?.data).toMatchObject({ [kind]: { id: issued.id, replacedBy: rotated.id }, replacement: { id: rotated.id } });
    const text = JSON.stringify(store.outbox);
    for (const secret of [issued.key, rotated.key, createDigester()(issued.key), createDigester()(rotated.key)]) expect(text).not.toContain(secret);
  });

  it('emits nothing for a change that fails', async () => {
    await expect(verbs.create({ ctx: stranger, input: { projectId, kind: 'key' } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(verbs.create({ ctx, input: { projectId, kind: 'key', ipAllowlist: ['nope'] } })).rejects.toMatchObject({ code: 'validation_error' });
    expect(store.outbox).toEqual([]);
  });

  it("answers another user's project, and a malformed id, as not found", async () => {
    await expect(verbs.create({ ctx: stranger, input: { projectId, kind: 'key' } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(verbs.list({ ctx: stranger, input: { projectId, kind: 'key', filters: {}, page: { limit: 10 } } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(verbs.get({ ctx, input: { projectId, kind: 'key', id: 'not-a-uuid' } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(verbs.revoke({ ctx, input: { projectId, kind: 'key', id: randomUUID() } })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('validates policy after authorization: a stranger learns nothing from a bad body', async () => {
    await expect(verbs.create({ ctx: stranger, input: { projectId, kind: 'key', ipAllowlist: ['nope'] } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(verbs.create({ ctx, input: { projectId, kind: 'key', ipAllowlist: ['nope'] } })).rejects.toMatchObject({ code: 'validation_error' });
  });

  it('lets a viewer read but not change credentials (403), and a root key only what it is permitted', async () => {
    const viewer = randomUUID();
    store.putMember(workspaceId, viewer, 'viewer');
    const asViewer = { actor: { type: 'user' as const, userId: viewer } };
    const issued = await verbs.create({ ctx, input: { projectId, kind: 'key' } });
    await expect(verbs.get({ ctx: asViewer, input: { projectId, kind: 'key', id: issued.id } })).resolves.toMatchObject({ id: issued.id });
    await expect(verbs.revoke({ ctx: asViewer, input: { projectId, kind: 'key', id: issued.id } })).rejects.toMatchObject({ code: 'forbidden' });
    // A narrower role in the project: a developer of the workspace who only reads this project.
    const developer = randomUUID();
    store.putMember(workspaceId, developer, 'developer');
    store.putProjectRole(projectId, developer, 'viewer');
    await expect(verbs.create({ ctx: { actor: { type: 'user', userId: developer } }, input: { projectId, kind: 'key' } })).rejects.toMatchObject({ code: 'forbidden' });
    const machine = { actor: { type: 'root_key' as const, rootKeyId: randomUUID(), workspaceId, permissions: [`project.${projectId}.create_key`] } };
    await expect(verbs.create({ ctx: machine, input: { projectId, kind: 'key' } })).resolves.toMatchObject({ status: 'active' });
    await expect(verbs.create({ ctx: machine, input: { projectId, kind: 'service', name: 's' } })).rejects.toMatchObject({ code: 'forbidden' });
    expect(store.auditLog.at(-1)).toMatchObject({ action: 'key.created', actorId: machine.actor.rootKeyId });
  });

  it('updates with PATCH semantics and audits enabling apart from other changes', async () => {
    const issued = await verbs.create({ ctx, input: { projectId, kind: 'key', tags: ['a'] } });
    const updated = await verbs.update({ ctx, input: { projectId, kind: 'key', id: issued.id, changes: { enabled: false, label: 'x' } } });
    expect(updated).toMatchObject({ enabled: false, label: 'x', tags: ['a'], status: 'disabled' });
    expect(store.auditLog.map((e) => e.action)).toEqual(['key.created', 'key.disabled', 'key.updated']);
    await expect(verbs.update({ ctx, input: { projectId, kind: 'key', id: issued.id, changes: { name: 'n' } } })).rejects.toMatchObject({ code: 'validation_error' });
  });

  it('revokes once; a revoked credential can neither change nor be revoked again', async () => {
    const issued = await verbs.create({ ctx, input: { projectId, kind: 'key' } });
    await verbs.revoke({ ctx, input: { projectId, kind: 'key', id: issued.id, reason: 'leaked' } });
    expect(await verbs.get({ ctx, input: { projectId, kind: 'key', id: issued.id } })).toMatchObject({ status: 'revoked', revokeReason: 'leaked' });
    await expect(verbs.revoke({ ctx, input: { projectId, kind: 'key', id: issued.id } })).rejects.toMatchObject({ code: 'already_revoked' });
    await expect(verbs.update({ ctx, input: { projectId, kind: 'key', id: issued.id, changes: { label: 'x' } } })).rejects.toMatchObject({ code: 'already_revoked' });
  });

  it('rotates with a grace period: both work until it ends, settings and counters carried over', async () => {
    const issued = await verbs.create({ ctx, input: { projectId, kind: 'service', name: 'billing', scopes: ['read'], quota: { limit: 5, period: 'day' } } });
    const rotated = await verbs.rotate({ ctx, input: { projectId, kind: 'service', id: issued.id, gracePeriodSeconds: 60 } });
    expect(rotated).toMatchObject({ name: 'billing', scopes: ['read'], quota: { limit: 5, period: 'day' }, status: 'active' });
    expect(rotated.previousKeyExpiresAt).toBe(new Date(clock.now() + 60_000).toISOString());
    const old = await verbs.get({ ctx, input: { projectId, kind: 'service', id: issued.id } });
    expect(old).toMatchObject({ status: 'active', replacedBy: rotated.id, revokeReason: 'rotated' });
    clock.advance(60_000);
    expect(await verbs.get({ ctx, input: { projectId, kind: 'service', id: issued.id } })).toMatchObject({ status: 'revoked' });
    const records = await store.findRecords([parseCredential(rotated.key)?.publicId ?? '']);
    expect([...records.values()][0]?.limitKey).toBe(issued.id);
    await expect(verbs.rotate({ ctx, input: { projectId, kind: 'service', id: issued.id } })).rejects.toMatchObject({ code: 'already_revoked' });
  });

  it('keeps service names unique among live services', async () => {
    await verbs.create({ ctx, input: { projectId, kind: 'service', name: 'orders' } });
    await expect(verbs.create({ ctx, input: { projectId, kind: 'service', name: 'orders' } })).rejects.toMatchObject({ code: 'validation_error' });
  });

  it('lists with filters and pages', async () => {
    for (let i = 0; i < 3; i++) await verbs.create({ ctx, input: { projectId, kind: 'key', tags: i === 0 ? ['x'] : [] } });
    const first = await verbs.list({ ctx, input: { projectId, kind: 'key', filters: {}, page: { limit: 2 } } });
    expect(first.items).toHaveLength(2);
    const second = await verbs.list({ ctx, input: { projectId, kind: 'key', filters: {}, page: { limit: 2, cursor: first.next ?? undefined } } });
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeNull();
    const tagged = await verbs.list({ ctx, input: { projectId, kind: 'key', filters: { tag: 'x' }, page: { limit: 10 } } });
    expect(tagged.items).toHaveLength(1);
  });
});
