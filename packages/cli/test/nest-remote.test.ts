import { Controller, Get, Post } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor } from '@elyzor/sdk';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, Scopes } from '../../nest/src/index.js';
import { call, startNest, type RunningNest } from '../../nest/test/helpers.js';
import { elyzor, elyzorJson, password, startElyzor, tempHome, uniqueEmail, type RunningElyzor } from './helpers.js';

/**
 * The seed's commands in remote mode (`--project`, `ELYZOR_PROJECT`): on an Elyzor project,
 * acting as a root key, with a real Nest app in remote mode (adapter 'elyzor') on the same
 * project. And how a command chooses its mode, and its usage errors, in either.
 */

@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  @Scopes('read:projects')
  findAll(): unknown[] {
    return [];
  }

  @Post()
  @ApiKeyAuth()
  @Scopes('write:projects')
  create(): unknown {
    return { created: true };
  }
}

const ACTIONS = ['read_key', 'create_key', 'update_key', 'rotate_key', 'revoke_key'];

let server: RunningElyzor;
let nest: RunningNest;
let home: ReturnType<typeof tempHome>;
let env: Record<string, string>;
let projectId: string;

interface Printed {
  id: string;
  name: string;
  state: string;
  scopes: string[];
  token?: string;
  revocationReason?: string | null;
}

const get = (token: string) => call(`${nest.baseUrl}/projects`, { headers: { 'x-api-key': token } }).then((r) => r.status);
const post = (token: string) => call(`${nest.baseUrl}/projects`, { method: 'POST', headers: { 'x-api-key': token } }).then((r) => r.status);

beforeAll(async () => {
  server = await startElyzor();
  const admin = new Elyzor({ baseUrl: server.baseUrl });
  await admin.auth.register(uniqueEmail('nest-remote'), password);
  const project = await admin.projects.create({ name: 'cli-nest-remote' });
  projectId = project.id;
  const rootKey = (await admin.rootKeys.create(project.workspaceId, { name: 'nest app and cli', permissions: ACTIONS.map((a) => `project.${project.id}.${a}`) })).key;
  nest = await startNest([ApiKeyModule.register({ adapter: 'elyzor', elyzor: { baseUrl: server.baseUrl, rootKey, projectId } })], [ProjectController]);
  home = tempHome();
  env = { HOME: home.home, ELYZOR_URL: server.baseUrl, ELYZOR_ROOT_KEY: rootKey };
});

afterAll(async () => {
  home?.remove();
  await nest?.close();
  await server?.close();
});

describe('remote mode, with a Nest app in remote mode on the same project', () => {
  it('`elyzor create --project` makes a key the app lets through, with its scopes', async () => {
    const created = await elyzorJson<Printed>(['create', '--name', 'My App', '--scopes', 'read:projects', '--project', projectId], { env });
    expect(created).toMatchObject({ name: 'My App', state: 'active', scopes: ['read:projects'] });
    expect(created.token).toMatch(/^sk_live_/);
    expect(await get(created.token ?? '')).toBe(200);
    expect(await post(created.token ?? '')).toBe(403);
    expect(await nest.get(ApiKeyService).findById(created.id)).toMatchObject({ name: 'My App', scopes: ['read:projects'] });
  });

  it('a key the app created is listed (ELYZOR_PROJECT), revoked, and refused by the app from then on', async () => {
    const fromApp = await nest.get(ApiKeyService).create({ name: 'From the app', scopes: ['read:projects'] });
    const withProject = { ...env, ELYZOR_PROJECT: projectId };
    expect((await elyzorJson<Printed[]>(['list'], { env: withProject })).find((k) => k.id === fromApp.id)).toMatchObject({ name: 'From the app', state: 'active' });
    expect(await elyzorJson<Printed>(['revoke', fromApp.id, '--reason', 'leaked'], { env: withProject })).toMatchObject({ state: 'revoked', revocationReason: 'leaked' });
    expect((await elyzorJson<Printed[]>(['list'], { env: withProject })).map((k) => k.id)).not.toContain(fromApp.id);
    expect((await elyzorJson<Printed[]>(['list', '--all'], { env: withProject })).find((k) => k.id === fromApp.id)).toMatchObject({ state: 'revoked' });
    expect(await get(fromApp.token)).toBe(401);
  });

  it('`elyzor rotate --revoke-old --grace` overlaps both keys; without --revoke-old it is a usage error (Elyzor always retires the old key)', async () => {
    const old = await elyzorJson<Printed>(['create', '--name', 'Rotated', '--scopes', 'read:projects', '--project', projectId], { env });
    const refused = await elyzor(['rotate', old.id, '--project', projectId], { env });
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(/--revoke-old/);
    const rotated = await elyzorJson<Printed>(['rotate', old.id, '--revoke-old', '--grace', '1h', '--project', projectId], { env });
    expect(rotated).toMatchObject({ name: 'Rotated', scopes: ['read:projects'] });
    expect(rotated.id).not.toBe(old.id);
    expect(await get(rotated.token ?? '')).toBe(200);
    expect(await get(old.token ?? '')).toBe(200);
  });

  it("an unknown key is the server's not_found (exit 1)", async () => {
    const run = await elyzor(['revoke', 'key_unknown', '--project', projectId], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*\(not_found, HTTP 404/);
  });
});

describe('choosing the mode', () => {
  it('--project beats DATABASE_URL: an explicit flag wins over the other mode\'s variable', async () => {
    const run = await elyzorJson<Printed[]>(['list', '--project', projectId], { env: { ...env, DATABASE_URL: 'pglite:/nonexistent/elyzor-cli' } });
    expect(run.map((k) => k.name)).toContain('My App');
  });

  it('no database and no project, both at once, or local options in remote mode: usage errors (exit 2) before anything is opened', async () => {
    const none = await elyzor(['list'], { env: { HOME: home.home } });
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/--db-url <url> or DATABASE_URL .* --project <projectId> or ELYZOR_PROJECT/);
    expect((await elyzor(['list', '--db-url', 'pglite:./x', '--project', projectId], { env })).code).toBe(2);
    expect((await elyzor(['list', '--table', 'keys', '--project', projectId], { env })).code).toBe(2);
    expect((await elyzor(['rotate', 'k', '--grace', '1h', '--db-url', 'pglite:./x'], { env })).code).toBe(2);
    expect((await elyzor(['create', '--name', 'x', '--scopes', 'read projects', '--project', projectId], { env })).code).toBe(2);
    expect((await elyzor(['create', '--name', 'x', '--secret-length', '4', '--db-url', 'pglite:./x'], { env })).code).toBe(2);
    expect((await elyzor(['create', '--project', projectId], { env })).code).toBe(2);
  });

  it('a database URL that is not one is a usage error, and an unreachable one an error, without the password or a stack', async () => {
    const scheme = await elyzor(['list', '--db-url', 'mysql://app:s3cret-pass@db.example/keys'], { env });
    expect(scheme).toMatchObject({ code: 2, stdout: '', stderr: 'error: the database URL must be postgres://…, postgresql://… or pglite:<directory>, not mysql:…\n' });
    const down = await elyzor(['list', '--json'], { env: { ...env, DATABASE_URL: 'postgres://app:s3cret-pass@127.0.0.1:1/keys' } });
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stderr)).toEqual({ error: 'error', message: expect.stringMatching(/^cannot use the database postgres:\/\/127\.0\.0\.1:1\/keys: .*ECONNREFUSED/) as unknown });
    for (const run of [scheme, down]) expect(run.stderr).not.toMatch(/s3cret|\n\s+at /);
    const missing = await elyzor(['list', '--db-url', `pglite:${home.home}/none`], { env });
    expect(missing).toMatchObject({ code: 1, stderr: `error: no PGlite database at ${home.home}/none\n` });
  });

  it('`elyzor --help` lists the four commands beside the others, and each has its own help', async () => {
    const help = await elyzor(['--help'], { env });
    for (const name of ['create', 'list', 'revoke', 'rotate', 'keys', 'services']) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const create = await elyzor(['create', '--help'], { env });
    expect(create).toMatchObject({ code: 0 });
    for (const flag of ['--name', '--scopes', '--expires', '--ip-whitelist', '--ip-blacklist', '--rate-limit', '--db-url', '--table', '--secret-length', '--project']) expect(create.stdout).toContain(flag);
  });
});
