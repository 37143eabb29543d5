import { createHash } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import { describe, expect, it } from 'vitest';
import {
  ApiKeyErrorCode,
  ApiKeyErrorMessages,
  ConfigError,
  createApiKeyError,
  createKeys,
  MemoryCache,
  MemoryStore,
  type ApiKeyRecord,
  type Cache,
  type Storage,
} from '../src/index.js';

/** Rejects with an ApiKeyError of `code`: a plain `{ code, message }` object, as keypal throws. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code, message: ApiKeyErrorMessages[code as keyof typeof ApiKeyErrorMessages] });
}

/** A storage whose every call fails, as a database that went away does. */
function brokenStorage(): Storage {
  const fail = (): Promise<never> => Promise.reject(new Error('connection refused'));
  return {
    save: fail,
    findByHash: fail,
    findById: fail,
    findByOwner: fail,
    findByTags: fail,
    findByTag: fail,
    updateMetadata: fail,
    delete: fail,
    deleteByOwner: fail,
  };
}

/** keypal's storage contract without `onChange` or logs: what a user's custom storage looks like. */
function customStorage(): Storage {
  const inner = new MemoryStore();
  return {
    save: (r) => inner.save(r),
    findByHash: (h) => inner.findByHash(h),
    findById: (id) => inner.findById(id),
    findByOwner: (o) => inner.findByOwner(o),
    findByTags: (t, o) => inner.findByTags(t, o),
    findByTag: (t, o) => inner.findByTag(t, o),
    updateMetadata: (id, m) => inner.updateMetadata(id, m),
    delete: (id) => inner.delete(id),
    deleteByOwner: (o) => inner.deleteByOwner(o),
  };
}

describe('createKeys: config', () => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['prefix', { prefix: 5 }],
    ['length', { length: 0 }],
    ['length', { length: 3.5 }],
    ['alphabet', { alphabet: 'aa' }],
    ['algorithm', { algorithm: 'md5' }],
    ['salt', { salt: 42 }],
    ['storage', { storage: 'postgres' }],
    ['storage', { storage: { save: () => undefined } }],
    ['redis', { storage: 'redis' }],
    ['redis', { cache: 'redis' }],
    ['redis', { redis: {} }],
    ['cache', { cache: 'yes' }],
    ['cacheTtl', { cacheTtl: -1 }],
    ['revokedKeyTtl', { revokedKeyTtl: 1.5 }],
    ['autoTrackUsage', { autoTrackUsage: 'true' }],
    ['auditLogs', { auditLogs: 1 }],
    ['auditContext', { auditContext: 'admin' }],
    ['headerNames', { headerNames: [] }],
    ['headerNames', { headerNames: 'x-api-key' }],
    ['extractBearer', { extractBearer: null }],
    ['keyFormat', { keyFormat: 'uuid' }],
    ['prefix', { keyFormat: 'elyzor', prefix: 'sk_' }],
    ['environment', { environment: 'live' }],
    ['limits', { limits: 'postgres' }],
    ['rotationGracePeriod', { rotationGracePeriod: -5 }],
    ['clock', { clock: Date }],
    ['prefx', { prefx: 'sk_' }],
  ];

  it.each(bad)('a malformed %s throws at createKeys, naming the option', (option, config) => {
    expect(() => createKeys(config as never)).toThrow(ConfigError);
    expect(() => createKeys(config as never)).toThrow(`"${option}"`);
  });

  it('accepts every documented option', () => {
    const keys = createKeys({
      prefix: 'sk_prod_',
      length: 32,
      alphabet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      algorithm: 'sha512',
      salt: 'pepper',
      storage: 'memory',
      cache: true,
      cacheTtl: 60,
      revokedKeyTtl: 604800,
      autoTrackUsage: true,
      auditLogs: true,
      auditContext: { userId: 'system', metadata: { service: 'api' } },
      headerNames: ['x-api-key', 'authorization'],
      extractBearer: true,
    });
    expect(keys.generateKey()).toMatch(/^sk_prod_[A-Za-z0-9]{32}$/);
  });
});

describe('keys and digests, as keypal makes them', () => {
  it('a key is the prefix and 32 base62 characters; its digest is the SHA-256 hex of the whole key', async () => {
    const keys = createKeys({ prefix: 'sk_' });
    const { key, record } = await keys.create({ ownerId: 'u' });
    expect(key).toMatch(/^sk_[A-Za-z0-9]{32}$/);
    expect(record.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(keys.hashKey(key)).toBe(record.keyHash);
    expect(record.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it('an id never begins with - or _, so a command line never reads one as an option', async () => {
    const keys = createKeys();
    // With 64 equally likely first characters, 2,000 ids of the old kind began with one ~62 times.
    const ids = (await Promise.all(Array.from({ length: 2000 }, () => keys.create({ ownerId: 'u' })))).map(({ record }) => record.id);
    expect(ids.filter((id) => !/^[A-Za-z0-9][A-Za-z0-9_-]{20}$/.test(id))).toEqual([]);
  });

  it('with a salt, the digest is of the key followed by the SHA-256 hex of the salt; sha512 gives 128 hex characters', () => {
    const keys = createKeys({ salt: 'pepper', algorithm: 'sha512' });
    const salted = createHash('sha256').update('pepper').digest('hex');
    expect(keys.hashKey('sk_abc')).toBe(createHash('sha512').update(`sk_abc${salted}`).digest('hex'));
    expect(keys.hashKey('sk_abc')).toHaveLength(128);
  });

  it('a key stored by keypal (its record and digest) verifies', async () => {
    const storage = new MemoryStore();
    const key = 'sk_prod_0123456789abcdefghijABCDEFGHIJ01';
    const salt = createHash('sha256').update('s3cret').digest('hex');
    await storage.save({
      id: 'V1StGXR8_Z5jdHi6B-myT',
      keyHash: createHash('sha256').update(key + salt).digest('hex'),
      metadata: { ownerId: 'user_1', scopes: ['read'], expiresAt: null, createdAt: '2025-01-01T00:00:00.000Z', enabled: true, revokedAt: null, rotatedTo: null },
    });
    const keys = createKeys({ prefix: 'sk_prod_', salt: 's3cret', storage });
    const result = await keys.verify(key);
    expect(result.valid).toBe(true);
    expect(result.record?.id).toBe('V1StGXR8_Z5jdHi6B-myT');
  });

  it('a custom alphabet and length are honoured', () => {
    const keys = createKeys({ alphabet: 'ab', length: 40 });
    expect(keys.generateKey()).toMatch(/^[ab]{40}$/);
  });

  it("Elyzor's checksummed format: a mistyped key is INVALID_FORMAT without any lookup", async () => {
    let lookups = 0;
    const inner = new MemoryStore();
    const storage: Storage = Object.assign(Object.create(inner) as MemoryStore, {
      findByHash: (h: string) => {
        lookups++;
        return inner.findByHash(h);
      },
    });
    const keys = createKeys({ keyFormat: 'elyzor', environment: 'test', storage });
    const { key } = await keys.create({ ownerId: 'u' });
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{16}\.[0-9A-Za-z]{49}$/);
    expect((await keys.verify(key)).valid).toBe(true);
    const typo = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    lookups = 0;
    expect((await keys.verify(typo)).errorCode).toBe('INVALID_FORMAT');
    expect((await keys.verify('sk_live_' + key.slice(8))).errorCode).toBe('INVALID_FORMAT');
    expect(lookups).toBe(0);
  });
});

describe('verify', () => {
  it('takes a string, a Bearer string, a headers object or a Headers', async () => {
    const keys = createKeys({ prefix: 'sk_' });
    const { key } = await keys.create({ ownerId: 'u' });
    expect((await keys.verify(key)).valid).toBe(true);
    expect((await keys.verify(`Bearer ${key}`)).valid).toBe(true);
    expect((await keys.verify({ authorization: `Bearer ${key}` })).valid).toBe(true);
    expect((await keys.verify({ 'X-API-Key': key })).valid).toBe(true);
    expect((await keys.verify(new Headers({ 'x-api-key': key }))).valid).toBe(true);
    expect((await keys.verify({ 'x-custom-key': key }, { headerNames: ['x-custom-key'] })).valid).toBe(true);
    expect((await keys.verify({ 'x-custom-key': key })).errorCode).toBe('MISSING_KEY');
  });

  it('answers every refusal with keypal’s code and message, checked in keypal’s order', async () => {
    const clock = new ManualClock(Date.parse('2025-06-01T00:00:00Z'));
    const keys = createKeys({ prefix: 'sk_', clock, autoTrackUsage: false });
    expect(await keys.verify('')).toEqual({ valid: false, error: 'Missing API key', errorCode: 'MISSING_KEY' });
    expect(await keys.verify({})).toMatchObject({ errorCode: 'MISSING_KEY' });
    expect(await keys.verify('Bearer ')).toMatchObject({ errorCode: 'MISSING_KEY' });
    expect(await keys.verify('pk_abc')).toEqual({ valid: false, error: 'Invalid API key format', errorCode: 'INVALID_FORMAT' });
    expect(await keys.verify('sk_unknown')).toEqual({ valid: false, error: 'Invalid API key', errorCode: 'INVALID_KEY' });

    const expiring = await keys.create({ ownerId: 'u', expiresAt: '2025-06-02T00:00:00Z' });
    expect((await keys.verify(expiring.key)).valid).toBe(true);
    clock.advance(86_400_000);
    expect(await keys.verify(expiring.key)).toEqual({ valid: false, error: 'API key has expired', errorCode: 'EXPIRED' });
    // Expired and revoked: keypal reports EXPIRED first.
    await keys.revoke(expiring.record.id);
    expect((await keys.verify(expiring.key)).errorCode).toBe('EXPIRED');

    const revoked = await keys.create({ ownerId: 'u' });
    await keys.revoke(revoked.record.id);
    expect(await keys.verify(revoked.key)).toEqual({ valid: false, error: 'API key has been revoked', errorCode: 'REVOKED' });

    const disabled = await keys.create({ ownerId: 'u', enabled: false });
    expect(await keys.verify(disabled.key)).toEqual({ valid: false, error: 'API key is disabled', errorCode: 'DISABLED' });
  });

  it('a storage failure answers STORAGE_ERROR and never rejects', async () => {
    const keys = createKeys({ storage: brokenStorage(), cache: true });
    expect(await keys.verify('sk_whatever')).toEqual({ valid: false, error: 'Storage error occurred', errorCode: 'STORAGE_ERROR' });
  });

  it('a failing cache falls back to storage', async () => {
    const failing: Cache = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      del: () => Promise.reject(new Error('down')),
    };
    const keys = createKeys({ cache: failing });
    const { key } = await keys.create({ ownerId: 'u' });
    expect((await keys.verify(key)).valid).toBe(true);
  });

  it('skipCache reads storage; skipTracking leaves lastUsedAt alone; autoTrackUsage sets it and counts uses', async () => {
    const storage = new MemoryStore();
    let reads = 0;
    const findByHash = storage.findByHash.bind(storage);
    storage.findByHash = (h) => {
      reads++;
      return findByHash(h);
    };
    const keys = createKeys({ storage, cache: true });
    const { key, record } = await keys.create({ ownerId: 'u' });
    await keys.verify(key, { skipTracking: true });
    await keys.flushUsage();
    expect((await keys.findById(record.id))?.metadata.lastUsedAt).toBeUndefined();
    await keys.verify(key);
    await keys.verify(key);
    expect(reads).toBe(1);
    await keys.verify(key, { skipCache: true });
    expect(reads).toBe(2);
    await keys.flushUsage();
    expect((await keys.findById(record.id))?.metadata.lastUsedAt).toEqual(expect.any(String));
    expect(await keys.getUsage(record.id)).toBe(3);
  });

  it('a revocation during a cache miss is not undone by the miss filling the cache', async () => {
    const storage = new MemoryStore();
    let gate: (() => void) | null = null;
    const findByHash = storage.findByHash.bind(storage);
    const keys = createKeys({ storage, cache: true, autoTrackUsage: false });
    const { key, record } = await keys.create({ ownerId: 'u' });
    storage.findByHash = async (h) => {
      const found = await findByHash(h); // read before the revocation…
      await new Promise<void>((resolve) => (gate = resolve)); // …answered after it
      return found;
    };
    const racing = keys.verify(key);
    while (gate === null) await new Promise((r) => setImmediate(r));
    await keys.revoke(record.id);
    (gate as () => void)();
    await racing;
    storage.findByHash = findByHash;
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
  });

  it('with a custom storage (no change reports), a key deleted behind the manager never verifies from the cache', async () => {
    const storage = customStorage();
    const keys = createKeys({ storage, cache: true });
    const { key, record } = await keys.create({ ownerId: 'u' });
    expect((await keys.verify(key)).valid).toBe(true);
    await storage.delete(record.id);
    expect((await keys.verify(key)).errorCode).toBe('INVALID_KEY');
  });
});

describe('management', () => {
  it('create stores keypal’s metadata and returns the key once', async () => {
    const keys = createKeys({ prefix: 'sk_' });
    const { key, record } = await keys.create({
      ownerId: 'user_123',
      name: 'Production Key',
      description: 'd',
      scopes: ['read', 'write'],
      tags: ['Production', 'API'],
      resources: { 'project:123': ['read'] },
      expiresAt: '2099-12-31',
    });
    expect(record.metadata).toMatchObject({
      ownerId: 'user_123',
      name: 'Production Key',
      scopes: ['read', 'write'],
      tags: ['production', 'api'],
      resources: { 'project:123': ['read'] },
      expiresAt: '2099-12-31',
      enabled: true,
      revokedAt: null,
      rotatedTo: null,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(record)).not.toContain(key);
  });

  it('create, with a failing storage, rejects with STORAGE_ERROR', async () => {
    await rejectsWith(createKeys({ storage: brokenStorage() }).create({ ownerId: 'u' }), 'STORAGE_ERROR');
  });

  it('list, findByTag(s), findById, findByHash', async () => {
    const keys = createKeys();
    const a = await keys.create({ ownerId: 'alice', tags: ['prod', 'api'] });
    const b = await keys.create({ ownerId: 'alice', tags: ['dev'] });
    await keys.create({ ownerId: 'bob', tags: ['prod'] });
    expect((await keys.list('alice')).map((r) => r.id).sort()).toEqual([a.record.id, b.record.id].sort());
    expect(await keys.findByTag('prod')).toHaveLength(2);
    expect(await keys.findByTag('prod', 'alice')).toHaveLength(1);
    expect(await keys.findByTags(['api', 'dev'])).toHaveLength(2);
    expect((await keys.findById(a.record.id))?.id).toBe(a.record.id);
    expect((await keys.findByHash(a.record.keyHash))?.id).toBe(a.record.id);
    expect(await keys.findById('missing')).toBeNull();
  });

  it('enable / disable, with KEY_NOT_FOUND, ALREADY_ENABLED, ALREADY_DISABLED and CANNOT_MODIFY_REVOKED', async () => {
    const keys = createKeys({ cache: true });
    const { key, record } = await keys.create({ ownerId: 'u' });
    await rejectsWith(keys.enable(record.id), 'ALREADY_ENABLED');
    await keys.verify(key); // cached as valid
    await keys.disable(record.id);
    expect((await keys.verify(key)).errorCode).toBe('DISABLED');
    await rejectsWith(keys.disable(record.id), 'ALREADY_DISABLED');
    await keys.enable(record.id);
    expect((await keys.verify(key)).valid).toBe(true);
    await rejectsWith(keys.enable('missing'), 'KEY_NOT_FOUND');
    await rejectsWith(keys.disable('missing'), 'KEY_NOT_FOUND');
    await keys.revoke(record.id);
    await rejectsWith(keys.enable(record.id), 'CANNOT_MODIFY_REVOKED');
    await rejectsWith(keys.disable(record.id), 'CANNOT_MODIFY_REVOKED');
  });

  it('revoke / revokeAll, with KEY_NOT_FOUND and ALREADY_REVOKED; the cached key stops verifying at once', async () => {
    const keys = createKeys({ cache: true });
    const a = await keys.create({ ownerId: 'o' });
    const b = await keys.create({ ownerId: 'o' });
    const c = await keys.create({ ownerId: 'o' });
    expect((await keys.verify(a.key)).valid).toBe(true);
    await keys.revoke(a.record.id);
    expect((await keys.verify(a.key)).errorCode).toBe('REVOKED');
    expect((await keys.findById(a.record.id))?.metadata.revokedAt).toEqual(expect.any(String));
    await rejectsWith(keys.revoke(a.record.id), 'ALREADY_REVOKED');
    await rejectsWith(keys.revoke('missing'), 'KEY_NOT_FOUND');
    await keys.revokeAll('o');
    expect((await keys.verify(b.key)).errorCode).toBe('REVOKED');
    expect((await keys.verify(c.key)).errorCode).toBe('REVOKED');
  });

  it('rotate: a new key with the old metadata (overridable), the old one revoked; KEY_NOT_FOUND and CANNOT_MODIFY_REVOKED', async () => {
    const keys = createKeys({ cache: true });
    const old = await keys.create({ ownerId: 'u', name: 'k', scopes: ['read'], tags: ['t'] });
    await keys.verify(old.key);
    const { key, record, oldRecord } = await keys.rotate(old.record.id, { name: 'Updated Key', scopes: ['read', 'write', 'admin'] });
    expect(oldRecord.id).toBe(old.record.id);
    expect(record.metadata).toMatchObject({ ownerId: 'u', name: 'Updated Key', scopes: ['read', 'write', 'admin'], tags: ['t'] });
    expect((await keys.verify(key)).valid).toBe(true);
    expect((await keys.verify(old.key)).errorCode).toBe('REVOKED');
    expect((await keys.findById(old.record.id))?.metadata.rotatedTo).toBe(record.id);
    await rejectsWith(keys.rotate(old.record.id), 'CANNOT_MODIFY_REVOKED');
    await rejectsWith(keys.rotate('missing'), 'KEY_NOT_FOUND');
  });

  it("attributes: the app's own fields, kept by create, inherited by rotate, replaced with enable/disable; a revocation keeps its reason; rotate can keep the old key", async () => {
    const keys = createKeys({ cache: true });
    const a = await keys.create({ ownerId: 'o', attributes: { owner: 'team-backend', environment: 'production' } });
    expect((await keys.findById(a.record.id))?.metadata.attributes).toEqual({ owner: 'team-backend', environment: 'production' });
    await expect(keys.create({ ownerId: 'o', attributes: ['x'] as unknown as Record<string, unknown> })).rejects.toThrow(/metadata\.attributes must be an object/);
    await keys.verify(a.key);
    await keys.disable(a.record.id, undefined, { attributes: { owner: 'team-backend', state: 'suspended' } });
    expect((await keys.verify(a.key)).errorCode).toBe('DISABLED');
    expect((await keys.findById(a.record.id))?.metadata).toMatchObject({ enabled: false, attributes: { owner: 'team-backend', state: 'suspended' } });
    await keys.enable(a.record.id, undefined, { attributes: { owner: 'team-backend' } });
    expect((await keys.verify(a.key)).valid).toBe(true);
    const rotated = await keys.rotate(a.record.id);
    expect(rotated.record.metadata.attributes).toEqual({ owner: 'team-backend' });
    await keys.revoke(rotated.record.id, undefined, { reason: 'Security breach detected' });
    expect((await keys.findById(rotated.record.id))?.metadata).toMatchObject({ revocationReason: 'Security breach detected', revokedAt: expect.any(String) });
    expect((await keys.findById(a.record.id))?.metadata.revocationReason).toBeUndefined();
    const c = await keys.create({ ownerId: 'o' });
    const kept = await keys.rotate(c.record.id, {}, undefined, { revokeOld: false });
    expect((await keys.verify(kept.key)).valid).toBe(true);
    expect((await keys.verify(c.key)).valid).toBe(true);
    expect((await keys.findById(kept.oldRecord.id))?.metadata).toMatchObject({ revokedAt: null, rotatedTo: kept.record.id });
  });

  it('rotate with a grace period: both keys verify until it ends; the old one can still be revoked at once', async () => {
    const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const keys = createKeys({ clock, cache: true, rotationGracePeriod: 60 });
    const old = await keys.create({ ownerId: 'u' });
    const next = await keys.rotate(old.record.id);
    expect((await keys.verify(old.key)).valid).toBe(true);
    expect((await keys.verify(next.key)).valid).toBe(true);
    await rejectsWith(keys.rotate(old.record.id), 'CANNOT_MODIFY_REVOKED');
    clock.advance(60_000);
    expect((await keys.verify(old.key)).errorCode).toBe('REVOKED');

    const other = await keys.create({ ownerId: 'u' });
    await keys.rotate(other.record.id, {}, undefined, { gracePeriod: 3600 });
    expect((await keys.verify(other.key)).valid).toBe(true);
    await keys.revoke(other.record.id);
    expect((await keys.verify(other.key)).errorCode).toBe('REVOKED');
  });

  it('updateLastUsed sets lastUsedAt; KEY_NOT_FOUND for an unknown id', async () => {
    const clock = new ManualClock(Date.parse('2025-03-04T05:06:07Z'));
    const keys = createKeys({ clock });
    const { record } = await keys.create({ ownerId: 'u' });
    await keys.updateLastUsed(record.id);
    expect((await keys.findById(record.id))?.metadata.lastUsedAt).toBe('2025-03-04T05:06:07.000Z');
    await rejectsWith(keys.updateLastUsed('missing'), 'KEY_NOT_FOUND');
  });

  it('scope checks, global and per resource, and isExpired', async () => {
    const keys = createKeys();
    const { record } = await keys.create({
      ownerId: 'u',
      scopes: ['read'],
      resources: { 'website:site123': ['write', 'admin'] },
      expiresAt: '2000-01-01T00:00:00Z',
    });
    expect(keys.hasScope(record, 'read')).toBe(true);
    expect(keys.hasScope(record, 'write')).toBe(false);
    expect(keys.hasAnyScope(record, ['admin', 'read'])).toBe(true);
    expect(keys.hasAllScopes(record, ['read', 'write'])).toBe(false);
    expect(keys.checkResourceScope(record, 'website', 'site123', 'write')).toBe(true);
    expect(keys.checkResourceScope(record, 'website', 'other', 'write')).toBe(false);
    expect(keys.checkResourceAnyScope(record, 'website', 'site123', ['admin', 'delete'])).toBe(true);
    expect(keys.checkResourceAllScopes(record, 'website', 'site123', ['read', 'write'])).toBe(true);
    expect(keys.checkResourceAllScopes(record, 'website', 'site123', ['read', 'delete'])).toBe(false);
    expect(keys.checkResourceScope(null, 'website', 'site123', 'read')).toBe(false);
    expect(keys.hasScope({ ...record, metadata: { ...record.metadata, scopes: ['*'] } }, 'read')).toBe(false);
    expect(createKeys({ scopeWildcards: true }).hasScope({ ...record, metadata: { ...record.metadata, scopes: ['*'] } }, 'read')).toBe(true);
    expect(keys.isExpired(record)).toBe(true);
    expect(keys.isExpired({ ...record, metadata: { ...record.metadata, expiresAt: null } })).toBe(false);
  });

  it('hasKey, extractKey, generateKey, hashKey', () => {
    const keys = createKeys({ prefix: 'sk_' });
    expect(keys.hasKey({ authorization: 'Bearer sk_1' })).toBe(true);
    expect(keys.hasKey({})).toBe(false);
    expect(keys.extractKey(new Headers({ 'x-api-key': ' sk_2 ' }))).toBe('sk_2');
    expect(keys.extractKey({ authorization: 'Bearer sk_3' }, { extractBearer: false })).toBe('Bearer sk_3');
    expect(keys.generateKey()).not.toBe(keys.generateKey());
    expect(keys.hashKey('sk_x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('invalidateCache forgets a cached key; a failing cache answers CACHE_ERROR', async () => {
    const cache = new MemoryCache();
    const keys = createKeys({ cache });
    const { key, record } = await keys.create({ ownerId: 'u' });
    await keys.verify(key);
    expect(cache.size).toBe(1);
    await keys.invalidateCache(record.keyHash);
    expect(cache.size).toBe(0);
    const broken = createKeys({ cache: { get: () => null, set: () => undefined, del: () => Promise.reject(new Error('down')) } });
    await rejectsWith(broken.invalidateCache(record.keyHash), 'CACHE_ERROR');
  });
});

describe('audit logs', () => {
  it('AUDIT_LOGGING_DISABLED when off, STORAGE_NOT_SUPPORTED when the storage keeps no logs', async () => {
    const off = createKeys();
    for (const call of [off.getLogs(), off.countLogs(), off.getLogStats('u'), off.deleteLogs({}), off.clearLogs('k')]) {
      await rejectsWith(call, 'AUDIT_LOGGING_DISABLED');
    }
    const unsupported = createKeys({ auditLogs: true, storage: customStorage() });
    for (const call of [unsupported.getLogs(), unsupported.countLogs(), unsupported.getLogStats('u'), unsupported.deleteLogs({})]) {
      await rejectsWith(call, 'STORAGE_NOT_SUPPORTED');
    }
  });

  it('logs every action with the merged context, and answers the queries', async () => {
    const keys = createKeys({ auditLogs: true, auditContext: { userId: 'system', metadata: { environment: 'production' } } });
    const { record } = await keys.create({ ownerId: 'user_123', scopes: ['read'] }, { userId: 'admin_456', ip: '192.168.1.1', metadata: { reason: 'onboarding' } });
    await keys.disable(record.id);
    await keys.enable(record.id);
    const rotated = await keys.rotate(record.id);
    await keys.revoke(rotated.record.id, { userId: 'admin_789', metadata: { reason: 'Security breach' } });
    const logs = await keys.getLogs({ keyId: record.id });
    expect(logs.map((l) => l.action).sort()).toEqual(['created', 'disabled', 'enabled', 'rotated']);
    const created = logs.find((l) => l.action === 'created');
    expect(created).toMatchObject({
      keyId: record.id,
      ownerId: 'user_123',
      timestamp: expect.any(String),
      data: { userId: 'admin_456', ip: '192.168.1.1', metadata: { environment: 'production', reason: 'onboarding', scopes: ['read'] } },
    });
    const revokedLog = (await keys.getLogs({ action: 'revoked' }))[0];
    expect(revokedLog?.data).toMatchObject({ userId: 'admin_789', metadata: { environment: 'production', reason: 'Security breach' } });
    expect(await keys.countLogs({ action: 'created' })).toBe(2);
    const stats = await keys.getLogStats('user_123');
    expect(stats).toMatchObject({ total: 6, byAction: { created: 2, disabled: 1, enabled: 1, rotated: 1, revoked: 1 }, lastActivity: expect.any(String) });
    expect(await keys.clearLogs(record.id)).toBe(4);
    expect(await keys.deleteLogs({ endDate: '2999-01-01' })).toBe(2);
    expect(await keys.countLogs()).toBe(0);
  });
});

describe('error codes', () => {
  it('has every code of keypal, each with its message, and createApiKeyError builds { code, message, details }', () => {
    const seed = [
      'MISSING_KEY',
      'INVALID_FORMAT',
      'INVALID_KEY',
      'EXPIRED',
      'REVOKED',
      'DISABLED',
      'STORAGE_ERROR',
      'CACHE_ERROR',
      'ALREADY_REVOKED',
      'ALREADY_ENABLED',
      'ALREADY_DISABLED',
      'CANNOT_MODIFY_REVOKED',
      'KEY_NOT_FOUND',
      'AUDIT_LOGGING_DISABLED',
      'STORAGE_NOT_SUPPORTED',
      // keypal's own, beside its README's list: what a rate-limited verification reports.
      'RATE_LIMIT_EXCEEDED',
    ];
    for (const code of seed) {
      expect(ApiKeyErrorCode[code as keyof typeof ApiKeyErrorCode]).toBe(code);
      expect(ApiKeyErrorMessages[code as keyof typeof ApiKeyErrorMessages]).toEqual(expect.any(String));
    }
    expect(createApiKeyError(ApiKeyErrorCode.INVALID_KEY, { attemptedKey: 'sk_abc123' })).toEqual({
      code: 'INVALID_KEY',
      message: 'Invalid API key',
      details: { attemptedKey: 'sk_abc123' },
    });
  });

  it('create rejects malformed Elyzor extras, naming the field', async () => {
    const keys = createKeys();
    await expect(keys.create({ ownerId: 'u', rateLimit: { algorithm: 'sliding_window', limit: 0, windowSeconds: 1 } })).rejects.toThrow('rateLimit.limit');
    await expect(keys.create({ ownerId: 'u', ipAllowlist: ['10.0.0.0/33'] })).rejects.toThrow('ipAllowlist');
    await expect(keys.create({ ownerId: 'u', quota: { limit: 5, period: 'week' as 'day' } })).rejects.toThrow('quota.period');
  });
});

export type { ApiKeyRecord };

describe('verify on hostile input', () => {
  it('never throws, and answers MISSING_KEY, INVALID_FORMAT or INVALID_KEY for anything but a real key', async () => {
    const fc = await import('fast-check');
    const keys = createKeys({ prefix: 'sk_', cache: true });
    await keys.create({ ownerId: 'u' });
    const input = fc.oneof(
      fc.string(),
      fc.string().map((s) => `sk_${s}`),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(undefined))),
      fc.string().map((s) => ({ authorization: `Bearer ${s}` })),
      fc.string().map((s) => new Headers({ 'x-api-key': s.replace(/[^\x21-\x7e]/g, 'a') || 'a' })),
    );
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        const result = await keys.verify(value as never);
        expect(result.valid).toBe(false);
        expect(['MISSING_KEY', 'INVALID_FORMAT', 'INVALID_KEY']).toContain(result.errorCode);
      }),
      { numRuns: 300 },
    );
  });

  it('a key far longer than any it issues is INVALID_FORMAT without being hashed', async () => {
    const storage = new MemoryStore();
    let lookups = 0;
    const findByHash = storage.findByHash.bind(storage);
    storage.findByHash = (h) => {
      lookups++;
      return findByHash(h);
    };
    const keys = createKeys({ prefix: 'sk_', storage });
    expect((await keys.verify(`sk_${'a'.repeat(5_000)}`)).errorCode).toBe('INVALID_FORMAT');
    expect(lookups).toBe(0);
  });
});
