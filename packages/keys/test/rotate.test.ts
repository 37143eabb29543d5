import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys, type ApiKeyMetadata } from '../src/index.js';
import { backends, type Opened } from './helpers/backends.js';

/**
 * A rotation's replacement is a structural copy of the old metadata: a field the rotate code does
 * not name (one a later version adds, or the app's own) is carried, not dropped, on every store.
 */
describe.each(backends)('rotate on $name', (backend) => {
  let opened: Opened;
  beforeAll(async () => {
    opened = await backend.open();
  }, 60_000);
  afterAll(() => opened.close());

  it('carries every field it does not own: the extras, and a field it has never heard of; a disabled key rotates into an enabled one, as in keypal', async () => {
    const storage = await opened.fresh();
    const keys = createKeys({ storage });
    const { record } = await keys.create({
      ownerId: 'u1',
      name: 'k',
      description: 'd',
      scopes: ['read'],
      resources: { 'project:1': ['write'] },
      tags: ['a'],
      expiresAt: '2999-01-01T00:00:00.000Z',
      rateLimit: { algorithm: 'token_bucket', limit: 5, windowSeconds: 60, burst: 9 },
      quota: { limit: 100, period: 'month' },
      credits: { remaining: 7 },
      ipAllowlist: ['10.0.0.0/8'],
      ipDenylist: ['10.0.0.1'],
      attributes: { team: 'backend' },
    });
    await keys.disable(record.id);
    // A field the rotate code does not name, written as a later version (or keypal) would.
    await storage.updateMetadata(record.id, { futureField: { nested: [1, 2] } } as Partial<ApiKeyMetadata>);
    const old = await keys.findById(record.id);
    expect(old).not.toBeNull();

    const { record: next } = await keys.rotate(record.id, { name: 'renamed' });
    const stored = await keys.findById(next.id);
    const carried = { ...old?.metadata } as Record<string, unknown>;
    for (const own of ['createdAt', 'lastUsedAt', 'revokedAt', 'rotatedTo', 'revocationReason', 'keyPrefix', 'limitKey', 'name', 'enabled']) delete carried[own];
    expect(stored?.metadata).toMatchObject(carried);
    expect(stored?.metadata).toMatchObject({ name: 'renamed', enabled: true, revokedAt: null, limitKey: record.id });
    expect(stored?.metadata.rotatedTo ?? null).toBeNull();
    if ((old?.metadata as Record<string, unknown> | undefined)?.futureField !== undefined) {
      // Stores that keep the whole document keep it for the replacement too.
      expect((stored?.metadata as unknown as Record<string, unknown>).futureField).toEqual({ nested: [1, 2] });
    }
    expect(stored?.metadata.createdAt).not.toBe(old?.metadata.createdAt ?? 'never');
    // The caller can keep it disabled.
    const kept = await keys.rotate(next.id, { enabled: false });
    expect((await keys.findById(kept.record.id))?.metadata.enabled).toBe(false);
  });

  it("does not carry the old key's own fields: its revocation reason, its last use", async () => {
    const storage = await opened.fresh();
    const keys = createKeys({ storage });
    const { key, record } = await keys.create({ ownerId: 'u1' });
    expect((await keys.verify(key)).valid).toBe(true);
    await keys.flushUsage();
    await storage.updateMetadata(record.id, { revocationReason: 'kept by mistake' });
    const { record: next } = await keys.rotate(record.id, { ownerId: 'someone-else', limitKey: 'chosen' } as Partial<ApiKeyMetadata>);
    const stored = await keys.findById(next.id);
    expect(stored?.metadata.ownerId).toBe('u1');
    expect(stored?.metadata.limitKey).toBe(record.id);
    expect(stored?.metadata.lastUsedAt ?? null).toBeNull();
    expect(stored?.metadata.revocationReason ?? null).toBeNull();
    expect((await keys.findById(record.id))?.metadata.rotatedTo).toBe(next.id);
  });

  it('checks the overrides as create does, before anything is written', async () => {
    const storage = await opened.fresh();
    const keys = createKeys({ storage });
    const { record } = await keys.create({ ownerId: 'u1' });
    await expect(keys.rotate(record.id, { ipAllowlist: ['10.0.0.0/33'] })).rejects.toThrow(/^rotate: metadata\.ipAllowlist has an entry that is not an IP address/);
    expect((await keys.findById(record.id))?.metadata.rotatedTo ?? null).toBeNull();
    expect(await keys.list('u1')).toHaveLength(1);
  });
});
