import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_API_PERMISSIONS, ALL_RBAC_PERMISSIONS, startUnkeyWorld, type UnkeyWorld } from './helpers.js';

/**
 * The examples of docs/unkey.md, run as they are written: each `<!-- example: name -->` block is
 * written to a module (`http://localhost:3000` pointed at a real Elyzor, the root key in
 * UNKEY_ROOT_KEY) and imported; what it logs is checked.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const page = readFileSync(join(here, '../../../docs/unkey.md'), 'utf8');
const examples = new Map([...page.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
const dir = join(here, `.examples-${process.pid}`);
let world: UnkeyWorld;
let rootKey: string;

beforeAll(async () => {
  world = await startUnkeyWorld();
  // The page's examples use identities and the rate limiter too.
  rootKey = await world.rootKeyWith([...ALL_API_PERMISSIONS, ...ALL_RBAC_PERMISSIONS, 'identity.*.create_identity', 'ratelimit.*.limit', 'ratelimit.*.create_namespace', 'ratelimit.*.set_override']);
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await world?.close();
});

async function run(name: string): Promise<unknown[][]> {
  const source = examples.get(name);
  if (source === undefined) throw new Error(`docs/unkey.md has no example "${name}"`);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${source.replaceAll('http://localhost:3000', world.baseUrl).replaceAll('process.env.UNKEY_ROOT_KEY', JSON.stringify(rootKey))}\nexport {};\n`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await import(/* @vite-ignore */ file);
    return log.mock.calls;
  } finally {
    log.mockRestore();
  }
}

describe('docs/unkey.md examples', () => {
  it('the page changes one line: serverURL', () => {
    expect(page).toContain("serverURL: 'https://elyzor.example.com' }); // the one line that changes");
  });

  it('create-and-verify: a key made and verified with a permission query, spending a credit', async () => {
    expect(await run('create-and-verify')).toEqual([[true, 'VALID', 99]]);
  });

  it('roles: a key verifies through its role until the role is removed', async () => {
    expect(await run('roles')).toEqual([['VALID', 'INSUFFICIENT_PERMISSIONS']]);
  });

  it('import: a key imported by its hash verifies', async () => {
    expect(await run('import')).toEqual([[1, 'VALID']]);
  });

  it('identity: two keys of one identity share its limit', async () => {
    expect(await run('identity')).toEqual([[['VALID', 'VALID', 'RATE_LIMITED']]]);
  });

  it('ratelimit: an identifier limited, a pattern’s override lifting another', async () => {
    expect(await run('ratelimit')).toEqual([[[true, false, true]]]);
  });

  it('/openapi.json documents the /v2 routes', async () => {
    const document = (await (await fetch(`${world.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = ['/v2/liveness', '/v2/apis.createApi', '/v2/keys.verifyKey', '/v2/keys.migrateKeys'];
    paths.push('/v2/identities.createIdentity', '/v2/identities.getIdentity', '/v2/identities.listIdentities', '/v2/identities.updateIdentity', '/v2/identities.deleteIdentity');
    paths.push('/v2/ratelimit.limit', '/v2/ratelimit.multiLimit', '/v2/ratelimit.setOverride', '/v2/ratelimit.getOverride', '/v2/ratelimit.listOverrides', '/v2/ratelimit.deleteOverride');
    paths.push('/v2/permissions.createPermission', '/v2/permissions.listRoles', '/v2/keys.addRoles', '/v2/keys.setPermissions', '/v2/analytics.getVerifications');
    for (const path of paths) expect(document.paths).toHaveProperty([path]);
  });
});
