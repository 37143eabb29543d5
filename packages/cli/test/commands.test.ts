import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor } from '@elyzor/sdk';
import { BIN, elyzor, elyzorJson, filesUnder, password, startElyzor, tempHome, uniqueEmail, type RunningElyzor } from './helpers.js';

/**
 * The other command groups through the binary against a real Elyzor: services, root keys (and
 * acting as one with ELYZOR_ROOT_KEY), webhooks; exit codes for errors and usage errors; the
 * session file in ~/.config/elyzor when XDG_CONFIG_HOME is not set.
 */
let server: RunningElyzor;
let home: ReturnType<typeof tempHome>;
let env: Record<string, string>;
let projectId: string;
let workspaceId: string;
const shown: string[] = [];

beforeAll(async () => {
  server = await startElyzor();
  const email = uniqueEmail('commands');
  await new Elyzor({ baseUrl: server.baseUrl }).auth.register(email, password);
  home = tempHome();
  // No XDG_CONFIG_HOME: the session goes to ~/.config/elyzor; --base-url instead of ELYZOR_URL.
  env = { HOME: home.home };
  const login = await elyzor(['--base-url', `${server.baseUrl}/`, 'login', '--email', email, '--password-stdin'], { env, input: password });
  expect(login.code).toBe(0);
  const project = await elyzorJson<{ id: string; workspaceId: string }>(['projects', 'create', 'cli-commands'], { env });
  projectId = project.id;
  workspaceId = project.workspaceId;
});

afterAll(async () => {
  home?.remove();
  await server?.close();
});

describe('the session file', () => {
  it('is ~/.config/elyzor/credentials.json, 0600 in a 0700 directory, and later commands find the server of the login', () => {
    const files = filesUnder(home.home);
    expect(files.map((f) => [f.path, f.mode])).toEqual([[join(home.home, '.config', 'elyzor', 'credentials.json'), 0o600]]);
    expect(statSync(join(home.home, '.config', 'elyzor')).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(files[0]?.text ?? '{}') as { baseUrl: string; sessions: Record<string, { accessToken: string }> };
    expect(stored.baseUrl).toBe(server.baseUrl);
    expect(Object.keys(stored.sessions)).toEqual([server.baseUrl]);
  });

  it('a refused access token is refreshed once, and the new tokens are written back (still 0600)', async () => {
    const file = join(home.home, '.config', 'elyzor', 'credentials.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { sessions: Record<string, { accessToken: string; refreshToken: string }> };
    const session = stored.sessions[server.baseUrl];
    if (session === undefined) throw new Error('no stored session');
    const before = session.refreshToken;
    session.accessToken = 'no-longer-valid';
    writeFileSync(file, JSON.stringify(stored));
    const run = await elyzor(['projects', 'list', '--json'], { env });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Array<{ id: string }>).map((p) => p.id)).toContain(projectId);
    const after = (JSON.parse(readFileSync(file, 'utf8')) as typeof stored).sessions[server.baseUrl];
    expect(after?.accessToken).not.toBe('no-longer-valid');
    expect(after?.refreshToken).not.toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('login asks on a terminal, the password without echo', async () => {
    const other = tempHome();
    try {
      const email = uniqueEmail('prompt');
      await new Elyzor({ baseUrl: server.baseUrl }).auth.register(email, password);
      // `script` gives the CLI a pseudo-terminal; each answer is typed once its question shows.
      const child = spawn('script', ['-qec', `'${process.execPath}' '${BIN}' login`, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: other.home, ELYZOR_URL: server.baseUrl, TERM: 'dumb' } });
      let screen = '';
      const answers: Array<[question: string, answer: string]> = [['Email: ', `${email}\r`], ['Password: ', `${password}\r`]];
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        screen += chunk;
        const next = answers[0];
        if (next !== undefined && screen.includes(next[0])) {
          answers.shift();
          child.stdin.write(next[1]);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(screen).toContain(`logged in to ${server.baseUrl} as ${email}`);
      expect(code).toBe(0);
      expect(screen).toContain(email);
      expect(screen).not.toContain(password);
      expect(filesUnder(other.home).map((f) => f.mode)).toEqual([0o600]);
    } finally {
      other.remove();
    }
  });

  it('a session is never sent to another server: another --base-url is not logged in', async () => {
    const run = await elyzor(['--base-url', 'http://127.0.0.1:9', 'projects', 'list'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not logged in to http:\/\/127\.0\.0\.1:9/);
  });
});

describe('services', () => {
  it('create, list, update, rotate with --grace 0, revoke; verify takes svc_ credentials', async () => {
    const created = await elyzorJson<{ id: string; key: string; name: string; scopes: string[]; rateLimit: unknown }>(
      ['services', 'create', projectId, 'billing-worker', '--scopes', 'invoices:write', '--rate-limit', '50/1m', '--burst', '80'],
      { env },
    );
    shown.push(created.key);
    expect(created).toMatchObject({ name: 'billing-worker', scopes: ['invoices:write'], rateLimit: { algorithm: 'token_bucket', limit: 50, windowSeconds: 60, burst: 80 } });
    expect(created.key).toMatch(/^svc_live_/);
    expect(await elyzorJson(['verify', created.key, '--scopes', 'invoices:write'], { env })).toMatchObject({ valid: true });
    const listed = await elyzorJson<Array<{ id: string }>>(['services', 'list', projectId, '--status', 'active'], { env });
    expect(listed.map((s) => s.id)).toEqual([created.id]);
    expect(await elyzorJson(['services', 'update', projectId, created.id, '--name', 'billing', '--tag', 'core'], { env })).toMatchObject({ name: 'billing', tags: ['core'] });
    const rotated = await elyzorJson<{ id: string; key: string }>(['services', 'rotate', projectId, created.id, '--grace', '0'], { env });
    shown.push(rotated.key);
    expect((await elyzor(['verify', created.key], { env })).code).toBe(1);
    expect((await elyzor(['verify', rotated.key], { env })).code).toBe(0);
    await elyzorJson(['services', 'revoke', projectId, rotated.id], { env });
    expect(JSON.parse((await elyzor(['verify', rotated.key, '--json'], { env })).stdout)).toMatchObject({ valid: false, error: 'service_revoked' });
  });
});

describe('root keys, and acting as one', () => {
  it('create prints the key once; with ELYZOR_ROOT_KEY commands act as it, within its permissions; rotate and revoke', async () => {
    const [workspace] = await elyzorJson<Array<{ id: string }>>(['workspaces', 'list'], { env });
    expect(workspace?.id).toBe(workspaceId);
    const created = await elyzor(['root-keys', 'create', workspaceId, '--name', 'ci', '--permissions', `project.${projectId}.create_key,project.${projectId}.read_key`], { env });
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/shown only now/);
    const rootKey = /^key: (rk_live_\S+)$/m.exec(created.stdout)?.[1] ?? '';
    expect(rootKey).not.toBe('');
    shown.push(rootKey);
    const listed = await elyzorJson<Array<{ id: string; name: string }>>(['root-keys', 'list', workspaceId], { env });
    const id = listed.find((k) => k.name === 'ci')?.id ?? '';
    expect(JSON.stringify(listed)).not.toContain(rootKey.split('.')[1]);

    // No stored session at all: the root key alone.
    const machine = { HOME: join(home.home, 'machine'), ELYZOR_URL: server.baseUrl, ELYZOR_ROOT_KEY: rootKey };
    const key = await elyzorJson<{ key: string }>(['keys', 'create', projectId, '--label', 'from-ci'], { env: machine });
    shown.push(key.key);
    expect(key.key).toMatch(/^sk_live_/);
    const denied = await elyzor(['projects', 'delete', projectId, '--yes'], { env: machine });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/HTTP 403/);

    const rotated = await elyzorJson<{ key: string }>(['root-keys', 'rotate', workspaceId, id], { env });
    shown.push(rotated.key);
    expect((await elyzor(['keys', 'list', projectId], { env: machine })).code).toBe(1);
    expect((await elyzor(['keys', 'list', projectId], { env: { ...machine, ELYZOR_ROOT_KEY: rotated.key } })).code).toBe(0);
    expect(await elyzorJson(['root-keys', 'revoke', workspaceId, id], { env })).toEqual({ id, revoked: true });
    expect((await elyzor(['keys', 'list', projectId], { env: { ...machine, ELYZOR_ROOT_KEY: rotated.key } })).code).toBe(1);
  });
});

describe('webhooks', () => {
  it('create shows the signing secret once; list, update, rotate-secret, deliveries, delete', async () => {
    const created = await elyzorJson<{ id: string; secret: string; events: string[] }>(['webhooks', 'create', projectId, '--url', 'https://hooks.example.com/elyzor', '--events', 'key.created,key.revoked', '--description', 'audit sink'], { env });
    shown.push(created.secret);
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.events).toEqual(['key.created', 'key.revoked']);
    const listed = await elyzorJson<Array<Record<string, unknown>>>(['webhooks', 'list', projectId], { env });
    expect(listed.map((w) => w.id)).toEqual([created.id]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(await elyzorJson(['webhooks', 'update', projectId, created.id, '--disable', '--no-description'], { env })).toMatchObject({ enabled: false, description: null });
    const rotated = await elyzorJson<{ secret: string }>(['webhooks', 'rotate-secret', projectId, created.id], { env });
    shown.push(rotated.secret);
    expect(rotated.secret).not.toBe(created.secret);
    expect(await elyzorJson(['webhooks', 'deliveries', projectId, created.id], { env })).toEqual([]);
    expect(await elyzorJson(['webhooks', 'delete', projectId, created.id], { env })).toEqual({ id: created.id, deleted: true });
  });
});

describe('exit codes', () => {
  it.each([
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['projects', 'list', '--colour']],
    ['a missing argument', ['keys', 'get', 'only-one']],
    ['a malformed --rate-limit', ['keys', 'create', 'p', '--rate-limit', '100 per minute']],
    ['a malformed --expires', ['keys', 'create', 'p', '--expires', 'tomorrow']],
    ['a value outside the choices', ['keys', 'list', 'p', '--status', 'lost']],
    ['--burst without --rate-limit', ['keys', 'create', 'p', '--burst', '10']],
    ['update with nothing to change', ['keys', 'update', 'p', 'k']],
    ['a group without its subcommand', ['keys']],
    ['projects delete without --yes and no terminal', ['projects', 'delete', 'p']],
    ['login without --password-stdin and no terminal', ['login', '--email', 'a@example.com']],
  ])('%s is a usage error: exit 2, nothing sent', async (_what, args) => {
    const run = await elyzor(args, { env });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toBe('');
  });

  it('unknown ids are exit 1 with not_found, --json errors are JSON on stderr', async () => {
    const run = await elyzor(['keys', 'get', projectId, '00000000-0000-4000-8000-000000000000', '--json'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr)).toMatchObject({ error: 'not_found', status: 404, requestId: expect.any(String) });
  });

  it('Elyzor out of reach is exit 1 with connection_error', async () => {
    const run = await elyzor(['verify', 'sk_live_x', '--base-url', 'http://127.0.0.1:9'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/connection_error/);
  });

  it('--help and --version are exit 0', async () => {
    expect(await elyzor(['keys', 'rotate', '--help'], { env })).toMatchObject({ code: 0, stdout: expect.stringMatching(/--grace <duration>/) });
    expect(await elyzor(['--version'], { env })).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('no credential shown by these commands is on disk', () => {
    for (const file of filesUnder(home.home)) for (const secret of shown) expect(file.text).not.toContain(secret.split(/[._]/).at(-1));
  });
});
