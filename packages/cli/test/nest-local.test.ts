import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Post } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISMA_TABLE_SQL, prismaLikeClient } from '../../keys/test/helpers/prisma-like.js';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, CurrentApiKey, Scopes, type ApiKey } from '../../nest/src/index.js';
import { call, startNest, type RunningNest } from '../../nest/test/helpers.js';
import { pglitePool } from '../src/local/pglite-pool.js';
import { elyzor, elyzorJson, tempHome } from './helpers.js';

/**
 * The seed's CLI commands in local mode, against the table of a real Nest app's kysely adapter
 * (its default name, `api_keys`): on a PGlite directory (the embedded backend), or on
 * TEST_DATABASE_URL (the real one). A key the CLI creates verifies in the app with its scopes,
 * IP whitelist and rate limit; a key the app creates is listed, revoked and rotated by the CLI.
 * A PGlite directory has one user at a time, so the app is started after each CLI step and
 * stopped before the next; on PostgreSQL the same steps run the same way.
 */

@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  @Scopes('read:projects')
  findAll(@CurrentApiKey() key: ApiKey): { name: string } {
    return { name: key.name };
  }

  @Post()
  @ApiKeyAuth()
  @Scopes('write:projects')
  create(): { created: boolean } {
    return { created: true };
  }
}

const real = process.env.ELYZOR_TEST_BACKEND === 'real';
const databaseUrl = process.env.TEST_DATABASE_URL;
if (real && databaseUrl === undefined) throw new Error('the real backend needs TEST_DATABASE_URL');

let dir: string;
let dbUrl: string;
let env: Record<string, string>;
let home: ReturnType<typeof tempHome>;

/** The app's Kysely on the same database the CLI is given. */
async function appDatabase(): Promise<{ db: Kysely<unknown>; close(): Promise<void> }> {
  if (real) {
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 2 }) }) });
    return { db, close: () => db.destroy() };
  }
  const pglite = new PGlite(join(dir, 'db'));
  await pglite.waitReady;
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(pglite) }) });
  return { db, close: async () => (await db.destroy(), await pglite.close()) };
}

/** Runs `step` with a real Nest app on the database (adapter 'kysely', default table), then stops it. */
async function withApp<T>(step: (nest: RunningNest) => Promise<T>): Promise<T> {
  const database = await appDatabase();
  const nest = await startNest([ApiKeyModule.register({ adapter: 'kysely', kysely: { db: database.db } })], [ProjectController]);
  try {
    return await step(nest);
  } finally {
    await nest.close();
    await database.close();
  }
}

const get = (nest: RunningNest, token: string) => call(`${nest.baseUrl}/projects`, { headers: { 'x-api-key': token } });
const post = (nest: RunningNest, token: string) => call(`${nest.baseUrl}/projects`, { method: 'POST', headers: { 'x-api-key': token } });

interface Printed {
  id: string;
  name: string;
  state: string;
  scopes: string[];
  token?: string;
  revocationReason?: string | null;
}
const cli = (args: string[]) => elyzorJson<Printed>([...args, '--db-url', dbUrl], { env });
const listed = (args: string[] = []) => elyzorJson<Printed[]>(['list', ...args, '--db-url', dbUrl], { env });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'elyzor-cli-local-'));
  dbUrl = real ? (databaseUrl as string) : `pglite:${join(dir, 'db')}`;
  home = tempHome();
  env = { HOME: home.home };
});

afterAll(() => {
  home?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe(`local mode on ${real ? 'PostgreSQL' : 'a PGlite directory'}, with a Nest app on the same table`, () => {
  let plain: Printed;
  let fenced: Printed;
  let limited: Printed;
  let fromApp: { id: string; token: string };

  it('keys created by `elyzor create` verify in the app, with their scopes, IP whitelist and rate limit', async () => {
    plain = await cli(['create', '--name', 'My App', '--scopes', 'read:projects,write:projects', '--ip-blacklist', '10.9.9.0/24']);
    fenced = await cli(['create', '--name', 'Fenced', '--scopes', 'read:projects', '--ip-whitelist', '10.1.2.3', '--expires', '2099-01-31']);
    limited = await cli(['create', '--name', 'Limited', '--scopes', 'read:projects', '--rate-limit', '1/60s']);
    expect(plain).toMatchObject({ name: 'My App', state: 'active', scopes: ['read:projects', 'write:projects'] });
    expect(plain.token).toMatch(/^[0-9a-f]{64}$/);

    await withApp(async (nest) => {
      expect(await get(nest, plain.token ?? '')).toMatchObject({ status: 200, body: { name: 'My App' } });
      expect((await post(nest, plain.token ?? '')).status).toBe(201);
      expect((await post(nest, fenced.token ?? '')).status).toBe(403);
      expect((await get(nest, fenced.token ?? '')).status).toBe(403);
      expect((await get(nest, limited.token ?? '')).status).toBe(200);
      expect((await get(nest, limited.token ?? '')).status).toBe(429);
      // The app sees the CLI's key as its own ApiKeyService reads it.
      expect(await nest.get(ApiKeyService).findById(fenced.id)).toMatchObject({ name: 'Fenced', state: 'active', ipWhitelist: ['10.1.2.3'], scopes: ['read:projects'], expiresAt: new Date('2099-01-31T00:00:00Z') });
      expect(await nest.get(ApiKeyService).findById(plain.id)).toMatchObject({ ipBlacklist: ['10.9.9.0/24'], expiresAt: null });
      expect(await nest.get(ApiKeyService).findById(limited.id)).toMatchObject({ rateLimitMax: 1, rateLimitWindowMs: 60_000 });
      const created = await nest.get(ApiKeyService).create({ name: 'From the app', scopes: ['read:projects'] });
      fromApp = { id: created.id, token: created.token };
    });
  }, 240_000);

  it('a key the app created is listed, and revoked by `elyzor revoke`: the app refuses it from then on', async () => {
    expect((await listed()).find((k) => k.id === fromApp.id)).toMatchObject({ name: 'From the app', state: 'active' });
    expect(await cli(['revoke', fromApp.id, '--reason', 'leaked'])).toMatchObject({ id: fromApp.id, state: 'revoked', revocationReason: 'leaked' });
    expect((await listed()).map((k) => k.id)).not.toContain(fromApp.id);
    expect((await listed(['--all'])).find((k) => k.id === fromApp.id)).toMatchObject({ state: 'revoked' });
    await withApp(async (nest) => {
      expect((await get(nest, fromApp.token)).status).toBe(401);
      expect(await nest.get(ApiKeyService).findById(fromApp.id)).toMatchObject({ state: 'revoked', revocationReason: 'leaked' });
    });
  }, 240_000);

  it('`elyzor rotate` gives a key with the same settings; the old one works on unless --revoke-old', async () => {
    const rotated = await cli(['rotate', plain.id]);
    expect(rotated).toMatchObject({ name: 'My App', state: 'active', scopes: ['read:projects', 'write:projects'] });
    const again = await cli(['rotate', fenced.id, '--revoke-old']);
    await withApp(async (nest) => {
      expect((await post(nest, rotated.token ?? '')).status).toBe(201);
      expect((await get(nest, plain.token ?? '')).status).toBe(200);
      expect((await get(nest, fenced.token ?? '')).status).toBe(401);
      // Still fenced: the new key has the old one's whitelist.
      expect((await get(nest, again.token ?? '')).status).toBe(403);
    });
  }, 240_000);

  it('unknown ids and repeated revocations are errors (exit 1), not stack traces', async () => {
    const unknown = await elyzor(['revoke', 'no-such-key', '--db-url', dbUrl], { env });
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'error: no API key no-such-key\n' });
    const twice = await elyzor(['revoke', fromApp.id, '--db-url', dbUrl, '--json'], { env });
    expect(twice.code).toBe(1);
    expect(JSON.parse(twice.stderr)).toEqual({ error: 'error', message: `API key ${fromApp.id} is already revoked` });
    const bad = await elyzor(['create', '--name', 'x', '--ip-whitelist', 'not-an-ip', '--db-url', dbUrl], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: ipAllowlist has an entry that is not an IP address or CIDR range: "not-an-ip"\n');
  }, 240_000);
});

// Prisma's query interface runs on PGlite here (a Prisma client cannot be generated without its
// engines), so this one is the embedded backend's.
describe.skipIf(real)("local mode on the prisma adapter's table (`keyHash` column), with a Nest app on it", () => {
  it('a key the CLI creates verifies in the app; a key the app creates is listed and revoked by the CLI', async () => {
    const prismaDir = join(dir, 'prisma-db');
    const open = async (): Promise<PGlite> => {
      const pglite = new PGlite(prismaDir);
      await pglite.waitReady;
      return pglite;
    };
    const setup = await open();
    await setup.exec(PRISMA_TABLE_SQL);
    await setup.close();
    const url = `pglite:${prismaDir}`;
    const created = await elyzorJson<Printed>(['create', '--name', 'Prisma App', '--scopes', 'read:projects', '--db-url', url], { env });

    const pglite = await open();
    const nest = await startNest([ApiKeyModule.register({ adapter: 'prisma', prismaClient: prismaLikeClient(pglite) })], [ProjectController]);
    let fromApp: { id: string; token: string };
    try {
      expect(await get(nest, created.token ?? '')).toMatchObject({ status: 200, body: { name: 'Prisma App' } });
      const made = await nest.get(ApiKeyService).create({ name: 'From the app' });
      fromApp = { id: made.id, token: made.token };
    } finally {
      await nest.close();
      await pglite.close();
    }

    expect((await elyzorJson<Printed[]>(['list', '--db-url', url], { env })).map((k) => k.name).sort()).toEqual(['From the app', 'Prisma App']);
    expect(await elyzorJson<Printed>(['revoke', fromApp.id, '--db-url', url], { env })).toMatchObject({ state: 'revoked' });
  }, 240_000);
});
