import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CredentialRecord } from '@elyzor/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { backend, bearer, realBackendEnv, startApp, type TestApp } from '../test/helpers/harness.js';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

/**
 * `/v1/verify` looks a string that is not of Elyzor's format up by its hash only where keys of
 * Unkey's format exist (created at /v2 or imported by `keys.migrateKeys`): a deployment without
 * them refuses such strings before any storage call, as it refuses a bad checksum. The moment one
 * is created, it verifies at /v1 — here, on another instance, and on an instance started later.
 */

/** A string of Unkey's form that is no key (base58 of 16 random bytes behind a prefix). */
const lookalike = (): string => `acme_${randomBytes(16).toString('hex')}`;

/** Lookups the cache lets through to the store, by public id, counted from now on. */
function countLookups(t: TestApp): Map<string, number> {
  const lookups = new Map<string, number>();
  const { cache } = t.deps;
  const load = cache.load.bind(cache);
  cache.load = (publicId: string, fetch: (publicId: string) => Promise<CredentialRecord | null>) =>
    load(publicId, (id) => {
      lookups.set(id, (lookups.get(id) ?? 0) + 1);
      return fetch(id);
    });
  return lookups;
}

const verifyV1 = (t: TestApp, key: string) => t.app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(key) });

/** A database of its own on the real backend (a shared one holds other suites' keys of Unkey's format). */
async function freshDatabase(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (backend !== 'real') return { env: {}, drop: () => Promise.resolve() };
  const url = new URL(realBackendEnv().DATABASE_URL);
  const name = `foreign_keys_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  return { env: { DATABASE_URL: own.toString() }, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** A deployment of its own: no keys of Unkey's format in it yet. */
async function deployment(redisPrefix: string): Promise<{ world: UnkeyWorld; apiId: string; env: Record<string, string>; close(): Promise<void> }> {
  const database = await freshDatabase();
  const world = await startUnkeyWorld({ redisPrefix, env: database.env });
  const apiId = (await world.unkey.apis.createApi({ name: 'foreign' })).data.apiId;
  return {
    world,
    apiId,
    env: database.env,
    async close() {
      await world.close();
      await database.drop();
    },
  };
}

describe(`keys of Unkey's format at /v1/verify (${backend})`, () => {
  it('a deployment without them refuses such strings with no lookup; one created at /v2 verifies at /v1 at once, and such strings are looked up from then on', async () => {
    const { world, apiId, close } = await deployment(`elyzor-test:${randomUUID()}:`);
    try {
      const t = world.server;
      const lookups = countLookups(t);
      expect(t.deps.foreignKeys.present).toBe(false);
      for (let i = 0; i < 5; i++) {
        const response = await verifyV1(t, lookalike());
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({ valid: false, error: 'invalid_key' });
      }
      expect(lookups.size).toBe(0);

      const { key, keyId } = (await world.unkey.keys.createKey({ apiId, prefix: 'acme' })).data;
      const answer = await verifyV1(t, key);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({ valid: true, keyId, projectId: apiId });
      expect((await verifyV1(t, lookalike())).json()).toEqual({ valid: false, error: 'invalid_key' });
      // The key's own lookup and the lookalike's.
      expect(lookups.size).toBe(2);
    } finally {
      await close();
    }
  });

  it('an imported key verifies at /v1 right after the import', async () => {
    const { world, apiId, close } = await deployment(`elyzor-test:${randomUUID()}:`);
    try {
      const plaintext = `legacy_${randomBytes(24).toString('base64url')}`;
      const hash = createHash('sha256').update(plaintext).digest('hex');
      const { migrated } = (await world.unkey.keys.migrateKeys({ migrationId: 'm1', apiId, keys: [{ hash }] })).data;
      expect(migrated).toHaveLength(1);
      const answer = await verifyV1(world.server, plaintext);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({ valid: true, keyId: migrated[0]?.keyId });
    } finally {
      await close();
    }
  });

  it.runIf(backend === 'real')('on two instances: a key created or imported through one verifies at /v1 on the other at once; an instance started later reads that such keys exist', async () => {
    const redisPrefix = `elyzor-test:${randomUUID()}:`;
    const { world, apiId, env, close } = await deployment(redisPrefix);
    const other = await startApp({ redisPrefix, env: { ...env, JWT_SECRET: world.server.config.jwtSecret ?? '' } });
    try {
      expect(other.deps.foreignKeys.present).toBe(false);
      const { key, keyId } = (await world.unkey.keys.createKey({ apiId })).data;
      const created = await verifyV1(other, key);
      expect(created.statusCode, created.body).toBe(200);
      expect(created.json()).toMatchObject({ valid: true, keyId });

      const plaintext = `legacy_${randomBytes(24).toString('base64url')}`;
      const hash = createHash('sha256').update(plaintext).digest('base64');
      const { migrated } = (await world.unkey.keys.migrateKeys({ migrationId: 'm1', apiId, keys: [{ hash }] })).data;
      expect(migrated).toHaveLength(1);
      const imported = await verifyV1(other, plaintext);
      expect(imported.statusCode, imported.body).toBe(200);
      expect(imported.json()).toMatchObject({ valid: true, keyId: migrated[0]?.keyId });

      const later = await startApp({ redisPrefix, env });
      try {
        expect(later.deps.foreignKeys.present).toBe(true);
        expect((await verifyV1(later, key)).statusCode).toBe(200);
      } finally {
        await later.close();
      }
    } finally {
      await other.close();
      await close();
    }
  });
});
