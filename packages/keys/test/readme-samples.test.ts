/**
 * keypal's README, sample by sample, with only the import changed from `keypal` to this package
 * (and, where TypeScript's strict mode asks for it, a type on a `catch` variable or Hono's
 * variables). Where a sample needs Redis or PostgreSQL it runs when TEST_REDIS_URL /
 * TEST_DATABASE_URL are set; its storage-independent calls also run on the embedded stores.
 */
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ApiKeyErrorCode,
  createApiKeyError,
  createKeys,
  createResourceBuilder,
  extractKeyFromHeaders,
  getExpirationTime,
  hasAllScopes,
  hasAnyScope,
  hasApiKey,
  hasScope,
  isExpired,
  ResourceBuilder,
  type ApiKeyRecord,
  type Storage,
} from '../src/index.js';
import { DrizzleStore } from '../src/storage/drizzle.js';
import { apikey } from '../src/storage/drizzle-schema.js';
import { KyselyStore } from '../src/storage/kysely.js';
import { PrismaStore } from '../src/storage/prisma.js';
import { databaseUrl, redisUrl } from './helpers/backends.js';
import { newPglite } from './helpers/pglite.js';
import { PRISMA_TABLE_SQL, prismaLikeClient } from './helpers/prisma-like.js';

type Thrown = { code?: string; message: string };
const clients: Array<{ quit(): Promise<unknown> }> = [];
const newRedis = (): Redis => {
  const redis = new Redis(redisUrl ?? '');
  clients.push(redis);
  return redis;
};
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

describe('keypal README samples', () => {
  it('quick start', async () => {
    const keys = createKeys({
      prefix: 'sk_',
      cache: true,
    });
    // Create a key
    const { key } = await keys.create({
      ownerId: 'user_123',
      scopes: ['read', 'write'],
    });
    const request = { headers: { authorization: `Bearer ${key}` } };
    // Verify from headers
    const result = await keys.verify(request.headers);
    if (result.valid) {
      // As keypal's sample writes it: after `result.valid`, `record` is known to be there.
      expect(result.record.metadata.ownerId).toBe('user_123');
    }
    expect(result.valid).toBe(true);
  });

  it.runIf(redisUrl !== undefined)('full configuration (Redis storage)', async () => {
    const redis = newRedis();
    const keys = createKeys({
      prefix: 'sk_prod_',
      length: 32,
      alphabet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      algorithm: 'sha256', // or 'sha512'
      salt: process.env.API_KEY_SALT,
      storage: 'redis', // or custom Storage instance
      redis, // required when storage/cache is 'redis'
      cache: true, // in-memory cache
      cacheTtl: 60,
      revokedKeyTtl: 604800,
      autoTrackUsage: true,
      auditLogs: true,
      auditContext: { userId: 'system', metadata: { service: 'api' } },
      headerNames: ['x-api-key', 'authorization'],
      extractBearer: true,
    });
    const { key, record } = await keys.create({ ownerId: 'user_123' });
    expect((await keys.verify({ 'x-api-key': key })).valid).toBe(true);
    await keys.revoke(record.id);
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
    // revokedKeyTtl: the revoked record expires from Redis after 7 days.
    expect(await redis.ttl(`apikey:${record.id}`)).toBeGreaterThan(604_000);
    expect((await keys.getLogs({ keyId: record.id })).map((l) => l.action).sort()).toEqual(['created', 'revoked']);
  });

  it('creating and managing keys', async () => {
    const keys = createKeys({ prefix: 'sk_' });
    // Create with plain object
    const { record } = await keys.create({
      ownerId: 'user_123',
      name: 'Production Key',
      description: 'Key for production API access',
      scopes: ['read', 'write'],
      tags: ['production', 'api'],
      resources: {
        'project:123': ['read', 'write'],
        'project:456': ['read'],
      },
      expiresAt: '2099-12-31',
      enabled: true, // optional, defaults to true
    });
    // Create with ResourceBuilder (fluent API)
    const resources = new ResourceBuilder()
      .add('website', 'site123', ['read', 'write'])
      .add('project', 'proj456', ['deploy'])
      .addMany('website', ['site1', 'site2', 'site3'], ['read']) // Same scopes for multiple resources
      .build();
    const { record: record2 } = await keys.create({
      ownerId: 'user_123',
      scopes: ['admin'],
      resources, // Use the built resources object
    });
    expect(record2.metadata.resources?.['website:site2']).toEqual(['read']);
    // List
    const userKeys = await keys.list('user_123');
    expect(userKeys).toHaveLength(2);
    // Find by tag
    expect(await keys.findByTag('production')).toHaveLength(1);
    expect(await keys.findByTags(['production', 'api'])).toHaveLength(1);
    // Find by ID or hash
    expect((await keys.findById(record.id))?.id).toBe(record.id);
    expect((await keys.findByHash(record.keyHash))?.id).toBe(record.id);
    // Enable/Disable: the key is enabled already, which keypal answers with ALREADY_ENABLED.
    await expect(keys.enable(record.id)).rejects.toMatchObject({ code: ApiKeyErrorCode.ALREADY_ENABLED });
    await keys.disable(record.id);
    // Rotate (create new key, mark old as revoked)
    const { key: newKey, record: newRecord, oldRecord } = await keys.rotate(record.id, {
      name: 'Updated Key',
      scopes: ['read', 'write', 'admin'],
    });
    expect(oldRecord.id).toBe(record.id);
    expect((await keys.verify(newKey)).valid).toBe(true);
    // Revoke: the rotation revoked the old key already.
    await expect(keys.revoke(record.id)).rejects.toMatchObject({ code: ApiKeyErrorCode.ALREADY_REVOKED });
    await keys.revokeAll('user_123');
    expect((await keys.verify(newKey)).errorCode).toBe('REVOKED');
    // Update last used
    await keys.updateLastUsed(newRecord.id);
    expect((await keys.findById(newRecord.id))?.metadata.lastUsedAt).toEqual(expect.any(String));
  });

  it('verifying keys', async () => {
    const keys = createKeys({ prefix: 'sk_' });
    const { key } = await keys.create({ ownerId: 'u' });
    const request = { headers: new Headers({ authorization: `Bearer ${key}` }) };
    // From headers (automatic detection)
    expect((await keys.verify(request.headers)).valid).toBe(true);
    // From string
    expect((await keys.verify('sk_abc123')).errorCode).toBe('INVALID_KEY');
    expect((await keys.verify('Bearer sk_abc123')).errorCode).toBe('INVALID_KEY');
    // With options
    const headers = { 'x-custom-key': key };
    const result = await keys.verify(headers, {
      headerNames: ['x-custom-key'],
      skipCache: true,
      skipTracking: true,
    });
    // Check result
    if (result.valid) {
      expect(result.record).toBeDefined();
    } else {
      expect.unreachable(result.error);
    }
    const bad = await keys.verify('sk_nope');
    expect(bad.error).toBe('Invalid API key'); // Human-readable error message
    expect(bad.errorCode).toBe(ApiKeyErrorCode.INVALID_KEY);
  });

  it('permission scopes and resource scopes', async () => {
    const keys = createKeys();
    const { record } = await keys.create({
      ownerId: 'u',
      scopes: ['read', 'write'],
      resources: { 'website:site123': ['read', 'write', 'admin'] },
    });
    expect(keys.hasScope(record, 'write')).toBe(true);
    expect(keys.hasAnyScope(record, ['admin', 'moderator'])).toBe(false);
    expect(keys.hasAllScopes(record, ['read', 'write'])).toBe(true);
    expect(keys.isExpired(record)).toBe(false);
    expect(keys.checkResourceScope(record, 'website', 'site123', 'read')).toBe(true);
    expect(keys.checkResourceAnyScope(record, 'website', 'site123', ['admin', 'write'])).toBe(true);
    expect(keys.checkResourceAllScopes(record, 'website', 'site123', ['read', 'write'])).toBe(true);
  });

  it('ResourceBuilder', async () => {
    const keys = createKeys();
    const resources = new ResourceBuilder().add('website', 'site123', ['read', 'write']).add('project', 'proj456', ['deploy']).build();
    expect(resources).toEqual({ 'website:site123': ['read', 'write'], 'project:proj456': ['deploy'] });
    const resources2 = new ResourceBuilder().addMany('website', ['site1', 'site2', 'site3'], ['read']).add('project', 'proj1', ['deploy', 'rollback']).build();
    expect(Object.keys(resources2)).toHaveLength(4);
    const resources3 = new ResourceBuilder().addOne('website', 'site123', 'read').addOne('website', 'site123', 'write').build();
    expect(resources3).toEqual({ 'website:site123': ['read', 'write'] });
    const builder = new ResourceBuilder().add('website', 'site123', ['read', 'write']).add('project', 'proj456', ['deploy']);
    if (builder.has('website', 'site123')) {
      const scopes = builder.get('website', 'site123');
      expect(scopes).toEqual(['read', 'write']);
    }
    builder.removeScopes('website', 'site123', ['write']);
    builder.remove('project', 'proj456');
    expect(builder.build()).toEqual({ 'website:site123': ['read'] });
    expect(createResourceBuilder().add('a', 'b', ['c']).clear().build()).toEqual({});
    const existingResources = { 'website:site123': ['read'], 'project:proj456': ['deploy'] };
    const updated = ResourceBuilder.from(existingResources)
      .add('website', 'site123', ['write']) // Merges with existing
      .add('team', 'team789', ['admin'])
      .build();
    expect(updated).toEqual({ 'website:site123': ['read', 'write'], 'project:proj456': ['deploy'], 'team:team789': ['admin'] });
    expect(existingResources['website:site123']).toEqual(['read']);
    const { record } = await keys.create({ ownerId: 'user_123', scopes: ['admin'], resources: updated });
    expect(keys.checkResourceScope(record, 'team', 'team789', 'admin')).toBe(true);
  });

  it('usage tracking', async () => {
    const keys = createKeys({
      autoTrackUsage: true, // Automatically updates lastUsedAt on verify
    });
    const { key, record } = await keys.create({ ownerId: 'u' });
    const headers = { 'x-api-key': key };
    await keys.updateLastUsed(record.id);
    const result = await keys.verify(headers, { skipTracking: true });
    expect(result.valid).toBe(true);
  });

  it('audit logging', async () => {
    const keys = createKeys({
      auditLogs: true,
      auditContext: {
        // Default context merged into all logs
        metadata: { environment: 'production' },
      },
    });
    const { record } = await keys.create(
      {
        ownerId: 'user_123',
        scopes: ['read'],
      },
      {
        userId: 'admin_456',
        ip: '192.168.1.1',
        metadata: { reason: 'New customer onboarding' },
      },
    );
    await keys.revoke(record.id, {
      userId: 'admin_789',
      metadata: { reason: 'Security breach' },
    });
    // keypal's sample revokes 'key_123', an id that does not exist here.
    await expect(keys.revoke('key_123', { userId: 'admin_789' })).rejects.toMatchObject({ code: ApiKeyErrorCode.KEY_NOT_FOUND });
    const logs = await keys.getLogs({
      keyId: record.id,
      action: 'revoked',
      startDate: '2025-01-01',
      limit: 100,
    });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      id: expect.any(String),
      action: 'revoked',
      keyId: record.id,
      ownerId: 'user_123',
      timestamp: expect.any(String),
      data: { userId: 'admin_789', metadata: { environment: 'production', reason: 'Security breach' } },
    });
    const count = await keys.countLogs({ action: 'created' });
    expect(count).toBe(1);
    const stats = await keys.getLogStats('user_123');
    expect(stats.total).toBe(2);
    expect(stats.byAction.created).toBe(1);
    expect(stats.lastActivity).toEqual(expect.any(String));
    const deleted = await keys.deleteLogs({ endDate: '2024-01-01' });
    expect(deleted).toBe(0);
    expect(await keys.clearLogs(record.id)).toBe(2);
  });

  it('helper methods', async () => {
    const keys = createKeys({ cache: true });
    const headers = { 'x-api-key': 'sk_1' };
    expect(keys.hasKey(headers)).toBe(true);
    expect(keys.extractKey(headers)).toBe('sk_1');
    expect(typeof keys.generateKey()).toBe('string');
    const keyHash = keys.hashKey('sk_1');
    await keys.invalidateCache(keyHash);
  });

  it('standalone functions', () => {
    const expired = isExpired('2025-12-31T00:00:00.000Z');
    expect(expired).toBe(Date.now() >= Date.parse('2025-12-31T00:00:00.000Z'));
    expect(getExpirationTime('2025-12-31T00:00:00.000Z')).toEqual(new Date('2025-12-31T00:00:00.000Z'));
    const request = { headers: { 'x-api-key': 'sk_key' } };
    const key = extractKeyFromHeaders(request.headers, { headerNames: ['x-api-key'], extractBearer: true });
    expect(key).toBe('sk_key');
    if (hasApiKey(request.headers)) expect(extractKeyFromHeaders(request.headers)).toBe('sk_key');
    expect(hasScope(['read', 'write'], 'write')).toBe(true);
    expect(hasAnyScope(['read', 'write'], ['admin', 'write'])).toBe(true);
    expect(hasAllScopes(['read', 'write'], ['read', 'write'])).toBe(true);
    const result = { valid: false, errorCode: ApiKeyErrorCode.DISABLED as string };
    let handled = '';
    if (!result.valid) {
      switch (result.errorCode) {
        case ApiKeyErrorCode.EXPIRED:
          handled = 'expired';
          break;
        case ApiKeyErrorCode.REVOKED:
          handled = 'revoked';
          break;
        case ApiKeyErrorCode.DISABLED:
          handled = 'disabled';
          break;
      }
    }
    expect(handled).toBe('disabled');
    const error = createApiKeyError(ApiKeyErrorCode.INVALID_KEY, { attemptedKey: 'sk_abc123' });
    expect(error).toMatchObject({ code: 'INVALID_KEY', message: 'Invalid API key' });
  });

  it.runIf(redisUrl !== undefined)('storage: memory and Redis (storage and cache)', async () => {
    const memory = createKeys({ prefix: 'sk_' });
    expect((await memory.verify((await memory.create({ ownerId: 'u' })).key)).valid).toBe(true);
    const redis = newRedis();
    const keys = createKeys({
      prefix: 'sk_',
      storage: 'redis',
      cache: 'redis',
      redis,
    });
    const { key, record } = await keys.create({ ownerId: 'u' });
    expect((await keys.verify(key)).valid).toBe(true);
    expect(await redis.get(`apikey:${record.keyHash}`)).not.toBeNull(); // cached in Redis
    await keys.revoke(record.id);
    expect(await redis.get(`apikey:${record.keyHash}`)).toBeNull();
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
  });

  it.runIf(databaseUrl !== undefined)('storage: Drizzle on node-postgres', async () => {
    const pool = new pg.Pool({
      connectionString: process.env.TEST_DATABASE_URL,
    });
    clients.push({ quit: () => pool.end() });
    await pool.query('CREATE TABLE IF NOT EXISTS apikey (id TEXT PRIMARY KEY NOT NULL, key_hash TEXT NOT NULL UNIQUE, metadata JSONB NOT NULL)');
    const db = drizzle(pool, { schema: { apikey } });
    const keys = createKeys({
      prefix: 'sk_prod_',
      storage: new DrizzleStore({ db, table: apikey }),
      cache: true,
    });
    const { key, record } = await keys.create({ ownerId: 'drizzle-sample' });
    expect((await keys.verify(key)).valid).toBe(true);
    await pool.query('DELETE FROM apikey WHERE id = $1', [record.id]);
  });

  it.runIf(databaseUrl !== undefined)('storage: Kysely on node-postgres', async () => {
    const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL });
    const db = new Kysely({
      dialect: new PostgresDialect({
        pool,
      }),
    });
    clients.push({ quit: () => db.destroy() });
    await pool.query('CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, key_hash TEXT UNIQUE NOT NULL, metadata JSONB NOT NULL)');
    const keys = createKeys({
      prefix: 'sk_prod_',
      storage: new KyselyStore({ db, tableName: 'api_keys' }),
      cache: true,
    });
    const { key, record } = await keys.create({ ownerId: 'kysely-sample' });
    expect((await keys.verify(key)).valid).toBe(true);
    await pool.query('DELETE FROM api_keys WHERE id = $1', [record.id]);
  });

  it('storage: Prisma (through its query interface, on PGlite)', async () => {
    const pgl = await newPglite();
    await pgl.exec(PRISMA_TABLE_SQL);
    const prisma = prismaLikeClient(pgl);
    const keys = createKeys({
      prefix: 'sk_prod_',
      storage: new PrismaStore({ prisma, model: 'apiKey' }),
      cache: true,
    });
    const { key, record } = await keys.create({ ownerId: 'u', tags: ['a'] });
    expect((await keys.verify(key)).valid).toBe(true);
    await keys.revoke(record.id);
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
    expect(() => new PrismaStore({ prisma, model: 'ApiKey' })).toThrow('apiKey');
    await pgl.close();
  });

  it('custom storage', async () => {
    const rows = new Map<string, ApiKeyRecord>();
    const all = (): ApiKeyRecord[] => [...rows.values()];
    const customStorage: Storage = {
      save: async (record) => void rows.set(record.id, record),
      findByHash: async (keyHash) => all().find((r) => r.keyHash === keyHash) ?? null,
      findById: async (id) => rows.get(id) ?? null,
      findByOwner: async (ownerId) => all().filter((r) => r.metadata.ownerId === ownerId),
      findByTag: async (tag, ownerId) => all().filter((r) => r.metadata.tags?.includes(tag) && (ownerId === undefined || r.metadata.ownerId === ownerId)),
      findByTags: async (tags, ownerId) =>
        all().filter((r) => tags.some((t) => r.metadata.tags?.includes(t)) && (ownerId === undefined || r.metadata.ownerId === ownerId)),
      updateMetadata: async (id, metadata) => {
        const r = rows.get(id);
        if (r) rows.set(id, { ...r, metadata: { ...r.metadata, ...metadata } });
      },
      delete: async (id) => void rows.delete(id),
      deleteByOwner: async (ownerId) => {
        for (const r of all()) if (r.metadata.ownerId === ownerId) rows.delete(r.id);
      },
    };
    const keys = createKeys({
      storage: customStorage,
    });
    const { key, record } = await keys.create({ ownerId: 'u', tags: ['x'] });
    expect((await keys.verify(key)).valid).toBe(true);
    await keys.revoke(record.id);
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
  });

  it('error handling: verify', async () => {
    const keys = createKeys({ prefix: 'sk_' });
    const respond = async (headers: Record<string, string>): Promise<{ error?: string; statusCode?: number; ok?: string }> => {
      const result = await keys.verify(headers);
      if (!result.valid) {
        switch (result.errorCode) {
          case ApiKeyErrorCode.MISSING_KEY:
            return { error: 'API key is required', statusCode: 401 };
          case ApiKeyErrorCode.INVALID_FORMAT:
            return { error: 'Invalid API key format', statusCode: 401 };
          case ApiKeyErrorCode.INVALID_KEY:
            return { error: 'Invalid API key', statusCode: 401 };
          case ApiKeyErrorCode.EXPIRED:
            return { error: 'API key has expired', statusCode: 401 };
          case ApiKeyErrorCode.REVOKED:
            return { error: 'API key has been revoked', statusCode: 401 };
          case ApiKeyErrorCode.DISABLED:
            return { error: 'API key is disabled', statusCode: 403 };
          default:
            return { error: 'Authentication failed', statusCode: 401 };
        }
      }
      return { ok: result.record?.metadata.ownerId };
    };
    const { key, record } = await keys.create({ ownerId: 'alice' });
    expect(await respond({ 'x-api-key': key })).toEqual({ ok: 'alice' });
    expect(await respond({})).toEqual({ error: 'API key is required', statusCode: 401 });
    expect(await respond({ 'x-api-key': 'pk_x' })).toEqual({ error: 'Invalid API key format', statusCode: 401 });
    expect(await respond({ 'x-api-key': 'sk_x' })).toEqual({ error: 'Invalid API key', statusCode: 401 });
    await keys.disable(record.id);
    expect(await respond({ 'x-api-key': key })).toEqual({ error: 'API key is disabled', statusCode: 403 });
  });

  it('error handling: create, revoke, enable, rotate', async () => {
    const keys = createKeys();
    const createKey = async (): Promise<{ success: boolean; key?: string; error?: string }> => {
      try {
        const { key, record } = await keys.create({ ownerId: 'user_123', scopes: ['read', 'write'] });
        return { success: true, key, keyId: record.id } as { success: boolean; key: string };
      } catch (error) {
        if (error instanceof Error && error.message.includes('connection')) return { success: false, error: 'Database connection failed' };
        return { success: false, error: 'Failed to create API key' };
      }
    };
    expect((await createKey()).success).toBe(true);
    const revokeKey = async (keyId: string): Promise<{ error: string; statusCode: number } | null> => {
      try {
        await keys.revoke(keyId, { userId: 'admin_123', metadata: { reason: 'User request' } });
        return null;
      } catch (e) {
        const error = e as Thrown;
        if (error.code === ApiKeyErrorCode.KEY_NOT_FOUND) return { error: 'Key not found', statusCode: 404 };
        if (error.code === ApiKeyErrorCode.ALREADY_REVOKED) return { error: 'Key is already revoked', statusCode: 400 };
        throw error;
      }
    };
    const { record } = await keys.create({ ownerId: 'u' });
    expect(await revokeKey('nope')).toEqual({ error: 'Key not found', statusCode: 404 });
    expect(await revokeKey(record.id)).toBeNull();
    expect(await revokeKey(record.id)).toEqual({ error: 'Key is already revoked', statusCode: 400 });
    const enableKey = async (keyId: string): Promise<{ statusCode: number }> => {
      try {
        await keys.enable(keyId);
        return { statusCode: 200 };
      } catch (e) {
        const error = e as Thrown;
        if (error.code === ApiKeyErrorCode.KEY_NOT_FOUND) return { statusCode: 404 };
        if (error.code === ApiKeyErrorCode.ALREADY_ENABLED) return { statusCode: 200 };
        if (error.code === ApiKeyErrorCode.CANNOT_MODIFY_REVOKED) return { statusCode: 400 };
        throw error;
      }
    };
    expect(await enableKey(record.id)).toEqual({ statusCode: 400 });
    const rotateKey = async (keyId: string): Promise<{ statusCode?: number; success?: boolean }> => {
      try {
        await keys.rotate(keyId, { scopes: ['read', 'write', 'admin'] });
        return { success: true };
      } catch (e) {
        const error = e as Thrown;
        if (error.code === ApiKeyErrorCode.KEY_NOT_FOUND) return { statusCode: 404 };
        if (error.code === ApiKeyErrorCode.CANNOT_MODIFY_REVOKED) return { statusCode: 400 };
        throw error;
      }
    };
    expect(await rotateKey(record.id)).toEqual({ statusCode: 400 });
    const live = await keys.create({ ownerId: 'u' });
    expect(await rotateKey(live.record.id)).toEqual({ success: true });
  });

  it('error handling: a store’s own errors (Drizzle on PGlite)', async () => {
    const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
    const pgl = await newPglite();
    await pgl.exec('CREATE TABLE apikey (id TEXT PRIMARY KEY NOT NULL, key_hash TEXT NOT NULL UNIQUE, metadata JSONB NOT NULL)');
    const store = new DrizzleStore({ db: drizzlePglite(pgl, { schema: { apikey } }), table: apikey });
    const keys = createKeys({ prefix: 'sk_', storage: store, cache: true });
    try {
      await store.updateMetadata('keyId', { name: 'Updated Key', scopes: ['admin'] });
      expect.unreachable();
    } catch (e) {
      expect((e as Thrown).message.includes('not found')).toBe(true);
    }
    // PostgreSQL's duplicate-key error (23505) from the store itself (Drizzle wraps it in `cause`);
    // through the manager the same failure is STORAGE_ERROR, never an unhandled rejection.
    const { record } = await keys.create({ ownerId: 'user_123', name: 'My Key' });
    const dup = await store.save({ ...record, id: 'other' }).then(
      () => null,
      (e: unknown) => e as Thrown,
    );
    expect(dup?.code ?? (dup as { cause?: Thrown } | null)?.cause?.code).toBe('23505');
    const failing = createKeys({ storage: Object.assign(Object.create(store) as DrizzleStore, { save: () => store.save(record) }) });
    await expect(failing.create({ ownerId: 'user_123' })).rejects.toMatchObject({ code: 'STORAGE_ERROR', details: { code: '23505' } });
    await pgl.close();
  });

  it.runIf(redisUrl !== undefined)('Hono middleware (Redis storage and cache, audit logs)', async () => {
    await honoSample({ prefix: 'sk_', storage: 'redis', cache: 'redis', redis: newRedis(), auditLogs: true });
  });

  it('Hono middleware (memory storage, memory cache, audit logs)', async () => {
    await honoSample({ prefix: 'sk_', cache: true, auditLogs: true });
  });

  it('best practices: salt and sha512; periodic rotation', async () => {
    const keys = createKeys({ salt: process.env.API_KEY_SALT ?? 'a-salt', algorithm: 'sha512' });
    const { record: oldRecord } = await keys.create({ ownerId: 'u', expiresAt: '2099-01-01' });
    const { key: newKey } = await keys.rotate(oldRecord.id);
    expect((await keys.verify(newKey)).valid).toBe(true);
  });
});

/** The README's Hono app, as written, driven through `app.request`. */
async function honoSample(config: Parameters<typeof createKeys>[0]): Promise<void> {
  const keys = createKeys(config);
  const app = new Hono<{ Variables: { apiKey: ApiKeyRecord } }>();
  const warnings: unknown[] = [];

  app.use('/api/*', async (c, next) => {
    const result = await keys.verify(c.req.raw.headers);
    if (!result.valid) {
      warnings.push({ error: result.error, errorCode: result.errorCode, path: c.req.path, ip: c.req.header('x-forwarded-for') });
      const statusCode = result.errorCode === ApiKeyErrorCode.DISABLED ? 403 : 401;
      return c.json({ error: result.error, code: result.errorCode }, statusCode);
    }
    c.set('apiKey', result.record);
    if (result.record) {
      keys.updateLastUsed(result.record.id).catch((err: unknown) => {
        warnings.push(err);
      });
    }
    await next();
  });

  app.get('/api/data', async (c) => {
    const record = c.get('apiKey');
    if (!keys.hasScope(record, 'read')) return c.json({ error: 'Insufficient permissions' }, 403);
    return c.json({ data: 'sensitive data' });
  });

  app.get('/api/projects/:id', async (c) => {
    const record = c.get('apiKey');
    const projectId = c.req.param('id');
    if (!keys.checkResourceScope(record, 'project', projectId, 'read')) return c.json({ error: 'No access to this project' }, 403);
    return c.json({ project: { id: projectId } });
  });

  app.post('/api/keys', async (c) => {
    const record = c.get('apiKey');
    if (!keys.hasScope(record, 'admin')) return c.json({ error: 'Admin permission required' }, 403);
    try {
      const body = await c.req.json<{ ownerId: string; name?: string; scopes?: string[]; expiresAt?: string }>();
      const { key, record: newRecord } = await keys.create(
        { ownerId: body.ownerId, name: body.name, scopes: body.scopes, expiresAt: body.expiresAt },
        { userId: record.metadata.ownerId, ip: c.req.header('x-forwarded-for'), metadata: { action: 'api_create' } },
      );
      return c.json({ success: true, key, keyId: newRecord.id });
    } catch {
      return c.json({ error: 'Failed to create key' }, 500);
    }
  });

  app.delete('/api/keys/:id', async (c) => {
    const record = c.get('apiKey');
    const keyId = c.req.param('id');
    try {
      const keyToRevoke = await keys.findById(keyId);
      if (!keyToRevoke) return c.json({ error: 'Key not found' }, 404);
      const isOwner = keyToRevoke.metadata.ownerId === record.metadata.ownerId;
      const isAdmin = keys.hasScope(record, 'admin');
      if (!isOwner && !isAdmin) return c.json({ error: 'Not authorized' }, 403);
      await keys.revoke(keyId, { userId: record.metadata.ownerId, ip: c.req.header('x-forwarded-for'), metadata: { via: 'api' } });
      return c.json({ success: true });
    } catch (e) {
      const error = e as Thrown;
      if (error.code === ApiKeyErrorCode.KEY_NOT_FOUND) return c.json({ error: 'Key not found' }, 404);
      if (error.code === ApiKeyErrorCode.ALREADY_REVOKED) return c.json({ error: 'Key is already revoked' }, 400);
      return c.json({ error: 'Failed to revoke key' }, 500);
    }
  });

  const admin = await keys.create({ ownerId: 'admin', scopes: ['read', 'admin'] });
  const carol = await keys.create({ ownerId: 'carol', resources: { 'project:p1': ['read'] } });
  const auth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

  expect((await app.request('/api/data')).status).toBe(401);
  expect(await (await app.request('/api/data')).json()).toEqual({ error: 'Missing API key', code: 'MISSING_KEY' });
  expect(await (await app.request('/api/data', { headers: auth(admin.key) })).json()).toEqual({ data: 'sensitive data' });
  expect((await app.request('/api/projects/p2', { headers: auth(admin.key) })).status).toBe(200); // global read
  expect((await app.request('/api/projects/p1', { headers: auth(carol.key) })).status).toBe(200);
  expect((await app.request('/api/projects/p2', { headers: auth(carol.key) })).status).toBe(403);
  expect((await app.request('/api/data', { headers: auth(carol.key) })).status).toBe(403);

  const created = await app.request('/api/keys', {
    method: 'POST',
    headers: { ...auth(admin.key), 'content-type': 'application/json' },
    body: JSON.stringify({ ownerId: 'bob', name: 'Bob', scopes: ['write'] }),
  });
  const { key: bobKey, keyId: bobId } = (await created.json()) as { key: string; keyId: string };
  expect((await app.request('/api/data', { headers: auth(bobKey) })).status).toBe(403); // no read scope
  expect((await app.request('/api/keys', { method: 'POST', headers: auth(bobKey), body: '{}' })).status).toBe(403);

  expect((await app.request(`/api/keys/${bobId}`, { method: 'DELETE', headers: auth(admin.key) })).status).toBe(200);
  expect((await app.request(`/api/keys/${bobId}`, { method: 'DELETE', headers: auth(admin.key) })).status).toBe(400);
  expect((await app.request('/api/keys/nope', { method: 'DELETE', headers: auth(admin.key) })).status).toBe(404);
  const revoked = await app.request('/api/data', { headers: auth(bobKey) });
  expect(revoked.status).toBe(401);
  expect(await revoked.json()).toEqual({ error: 'API key has been revoked', code: 'REVOKED' });

  await keys.disable(admin.record.id);
  expect((await app.request('/api/data', { headers: auth(admin.key) })).status).toBe(403);
  expect((await keys.getLogs({ keyId: bobId })).map((l) => l.action).sort()).toEqual(['created', 'revoked']);
  expect(warnings.filter((w) => w instanceof Error || (typeof w === 'object' && w !== null && 'code' in w && !('errorCode' in w)))).toEqual([]);
}
