import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createKeys, MemoryStore, type ApiKeyRecord, type Storage } from '../src/index.js';
import { ApiKeyEntity, TypeOrmStore } from '../src/storage/typeorm.js';
import { pgliteDataSource } from './helpers/typeorm.js';

/**
 * Keys hashed with bcrypt or argon2 (nest-api-key-auth's digests): found by their first 8
 * characters and checked against the stored digest. bcrypt at cost 4 keeps the suite quick.
 */
const legacy = (id: string, key: string, digest: string): ApiKeyRecord => ({
  id,
  keyHash: digest,
  metadata: { ownerId: 'legacy', name: id, scopes: ['read'], expiresAt: null, revokedAt: null, keyPrefix: key.slice(0, 8) },
});

describe.each([
  { algorithm: 'bcrypt' as const, digest: (key: string) => bcrypt.hash(key, 4), extra: { bcryptRounds: 4 } },
  // The `argon2` package's defaults, as nest-api-key-auth hashes: argon2id, 64 MiB, 3 passes, 4 lanes.
  { algorithm: 'argon2' as const, digest: (key: string) => argon2Hash(key, { memoryCost: 65_536, timeCost: 3, parallelism: 4 }), extra: {} },
])('algorithm $algorithm', ({ algorithm, digest, extra }) => {
  it('verifies keys hashed outside the library, by prefix, and refuses a wrong key', async () => {
    const storage = new MemoryStore();
    const key = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const sibling = `${key.slice(0, 8)}ffffffffffffffffffffffff`; // same prefix, another key
    await storage.save(legacy('k1', key, await digest(key)));
    await storage.save(legacy('k2', sibling, await digest(sibling)));
    const keys = createKeys({ storage, algorithm, ...extra, autoTrackUsage: false });
    await keys.ready();
    const ok = await keys.verify(key);
    expect(ok.valid && ok.record.id).toBe('k1');
    const second = await keys.verify(sibling);
    expect(second.valid && second.record.id).toBe('k2');
    expect((await keys.verify(`${key.slice(0, -1)}1`)).errorCode).toBe('INVALID_KEY');
    expect((await keys.verify('zzzzzzzzzzzzzzzz')).errorCode).toBe('INVALID_KEY');
    expect((await keys.verify('short')).errorCode).toBe('INVALID_KEY');
    expect((await keys.findByKey(key))?.id).toBe('k1');
  });

  it('hashes new keys the same way, with their prefix, and revokes and rotates them', async () => {
    const keys = createKeys({ storage: new MemoryStore(), algorithm, ...extra, autoTrackUsage: false });
    const { key, record } = await keys.create({ ownerId: 'o', scopes: ['read'] });
    expect(record.keyHash.startsWith(algorithm === 'bcrypt' ? '$2' : '$argon2id$')).toBe(true);
    expect(record.keyHash).not.toContain(key);
    expect(record.metadata.keyPrefix).toBe(key.slice(0, 8));
    expect((await keys.verify(key)).valid).toBe(true);
    const rotated = await keys.rotate(record.id);
    expect((await keys.verify(rotated.key)).valid).toBe(true);
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
  });
});

describe('algorithm options', () => {
  it('are refused when they cannot work, naming the option', () => {
    const storage = new MemoryStore();
    expect(() => createKeys({ storage, algorithm: 'md5' as never })).toThrow(ConfigError);
    expect(() => createKeys({ storage, algorithm: 'argon2', bcryptRounds: 10 })).toThrow(/"bcryptRounds"/);
    expect(() => createKeys({ storage, algorithm: 'bcrypt', bcryptRounds: 3 })).toThrow(/"bcryptRounds"/);
    expect(() => createKeys({ storage, algorithm: 'bcrypt', salt: 'pepper' })).toThrow(/"salt"/);
    // The stored prefix is plaintext: enough of the key must stay secret, and prefixes must differ.
    expect(() => createKeys({ storage, algorithm: 'bcrypt', length: 20 })).toThrow(/"length" must leave at least 16 random characters/);
    expect(() => createKeys({ storage, algorithm: 'argon2', prefix: 'sk_', length: 20 })).toThrow(/"length"/);
    expect(() => createKeys({ storage, algorithm: 'argon2', prefix: 'sk_', length: 21 })).not.toThrow();
    expect(() => createKeys({ storage, algorithm: 'argon2', keyFormat: 'elyzor' })).toThrow(/"keyFormat"/);
    const noPrefixLookup: Storage = { ...storage, findByKeyPrefix: undefined } as unknown as Storage;
    for (const m of ['save', 'findByHash', 'findById', 'findByOwner', 'findByTags', 'findByTag', 'updateMetadata', 'delete', 'deleteByOwner'] as const) {
      (noPrefixLookup as unknown as Record<string, unknown>)[m] = storage[m].bind(storage);
    }
    expect(() => createKeys({ storage: noPrefixLookup, algorithm: 'bcrypt' })).toThrow(/"algorithm" 'bcrypt' needs a storage with findByKeyPrefix/);
  });
});

describe('TypeOrmStore with bcrypt keys (PGlite)', () => {
  let db: Awaited<ReturnType<typeof pgliteDataSource>>;
  beforeAll(async () => {
    db = await pgliteDataSource();
  });
  afterAll(async () => {
    await db.close();
  });

  it('finds a row that nest-api-key-auth wrote by its keyPrefix column', async () => {
    const repository = db.dataSource.getRepository(ApiKeyEntity);
    const key = '0123456789abcdef0123456789abcdef';
    const now = new Date();
    await repository.insert({
      id: '6f1c1a52-5d4e-4a57-9d39-6b1a4c1f0e11',
      name: 'from nest-api-key-auth',
      keyPrefix: key.slice(0, 8),
      hashedKey: await bcrypt.hash(key, 4),
      scopes: ['read:projects'],
      owner: 'user-1',
      createdAt: now,
      updatedAt: now,
    });
    const keys = createKeys({ storage: new TypeOrmStore({ repository, defaultOwnerId: 'app' }), algorithm: 'bcrypt', autoTrackUsage: false });
    const result = await keys.verify(key);
    expect(result.valid).toBe(true);
    expect(result.record?.metadata).toMatchObject({ ownerId: 'app', name: 'from nest-api-key-auth', scopes: ['read:projects'], attributes: { owner: 'user-1' } });
    expect((await keys.verify(`${key.slice(0, 8)}${'0'.repeat(24)}`)).errorCode).toBe('INVALID_KEY');
  });
});
