import { createHash, randomBytes } from 'node:crypto';
import { BadRequestErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

let world: UnkeyWorld;
let apiId: string;
beforeAll(async () => {
  world = await startUnkeyWorld();
  apiId = (await world.unkey.apis.createApi({ name: 'imported' })).data.apiId;
});
afterAll(async () => {
  await world.close();
});

describe('keys.migrateKeys', () => {
  it('imports keys made outside Elyzor by their SHA-256; they verify at /v2 and /v1, a repeat fails', async () => {
    // Keys as another system made them, and their hashes as Unkey stores them (base64) and as hex.
    const first = `legacy_${randomBytes(24).toString('base64url')}`;
    const second = `old-${randomBytes(16).toString('hex')}`;
    const base64 = createHash('sha256').update(first).digest('base64');
    const hex = createHash('sha256').update(second).digest('hex');
    const result = (await world.unkey.keys.migrateKeys({ migrationId: 'm1', apiId, keys: [{ hash: base64, name: 'one', permissions: ['read'], credits: { remaining: 2 } }, { hash: hex, externalId: 'user_9' }] })).data;
    expect(result.failed).toEqual([]);
    expect(result.migrated.map((m) => m.hash)).toEqual([base64, hex]);
    expect((await world.unkey.keys.verifyKey({ key: first, permissions: 'read' })).data).toMatchObject({ valid: true, code: 'VALID', credits: 1, keyId: result.migrated[0]?.keyId });
    expect((await world.unkey.keys.verifyKey({ key: second })).data).toMatchObject({ valid: true, identity: { externalId: 'user_9' } });
    const v1 = await fetch(`${world.baseUrl}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${second}` } });
    expect(await v1.json()).toMatchObject({ valid: true, keyId: result.migrated[1]?.keyId });
    // Not the key, only something like it.
    expect((await world.unkey.keys.verifyKey({ key: `${second}x` })).data.code).toBe('NOT_FOUND');
    const again = (await world.unkey.keys.migrateKeys({ migrationId: 'm1', apiId, keys: [{ hash: base64 }] })).data;
    expect(again).toEqual({ migrated: [], failed: [base64] });
  });

  it('a hash that is no SHA-256 is a 400 naming it', async () => {
    const error = await world.unkey.keys.migrateKeys({ migrationId: 'm2', apiId, keys: [{ hash: 'not-a-hash' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestErrorResponse);
    expect((error as BadRequestErrorResponse).error.errors[0]?.location).toBe('body.keys[0].hash');
  });
});
