import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCredential } from '@elyzor/core';
import { Elyzor } from '@elyzor/sdk';
import { password, startElyzor, uniqueEmail, type RunningElyzor } from './helpers.js';

/**
 * The published shape: `npm pack` of the CLI and its workspace dependencies (contract, core,
 * keys, sdk), installed from the tarballs into an empty project, and `elyzor` run from there — the
 * bin link, the scanner (offline) and a login and a command against a real Elyzor. Workspace
 * links hide a missing `files`, `bin` or dependency; this does not.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let app: string;
let server: RunningElyzor;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** The installed binary, as `npx elyzor` finds it; asynchronous, since the server runs in this process. */
async function installed(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = promisify(execFile)(join(app, 'node_modules', '.bin', 'elyzor'), args, { cwd: app, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, ...options.env } });
  child.child.stdin?.end(options.input ?? '');
  try {
    return { code: 0, ...(await child) };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
    return { code: code ?? -1, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'elyzor-cli-pack-'));
  run('npm', ['pack', '--silent', '--pack-destination', dir, '-w', 'packages/contract', '-w', 'packages/core', '-w', 'packages/keys', '-w', 'packages/sdk', '-w', 'packages/cli'], root);
  const files = readdirSync(dir);
  const tarball = (name: string): string => join(dir, files.find((f) => f.startsWith(`elyzor-${name}-`)) ?? `elyzor-${name}-missing.tgz`);
  app = join(dir, 'app');
  mkdirSync(app);
  const dependencies = Object.fromEntries(['contract', 'core', 'keys', 'sdk', 'cli'].map((name) => [`@elyzor/${name}`, `file:${tarball(name)}`]));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }, null, 2));
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-package-lock'], app);
  server = await startElyzor();
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('packaging', () => {
  it('the tarball holds the binary and the build, no sources or tests', () => {
    const list = run('tar', ['-tzf', join(dir, readdirSync(dir).find((f) => f.startsWith('elyzor-cli-')) ?? '')], dir).split('\n');
    expect(list).toContain('package/bin/elyzor.js');
    expect(list).toContain('package/dist/bin.js');
    expect(list).toContain('package/dist/scan/pattern.js');
    expect(list.filter((f) => f.includes('/src/') || f.includes('/test/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs into an empty project: `elyzor` runs, scans offline, and talks to a real Elyzor', async () => {
    expect(await installed(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });

    const { token, publicId } = generateCredential('rk');
    writeFileSync(join(app, 'leak.txt'), `ok\nROOT=${token}\n`);
    const scan = await installed(['scan', 'leak.txt']);
    expect(scan).toMatchObject({ code: 1, stdout: `leak.txt:2: rk rk_live_${publicId}\n` });

    const email = uniqueEmail('packaging');
    await new Elyzor({ baseUrl: server.baseUrl }).auth.register(email, password);
    const env = { ELYZOR_URL: server.baseUrl };
    expect((await installed(['login', '--email', email, '--password-stdin'], { input: password, env })).code).toBe(0);
    const created = await installed(['projects', 'create', 'from-the-tarball', '--json'], { env });
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'from-the-tarball' });
  }, 60_000);

  it("local mode loads its drivers from the install: PostgreSQL's is a dependency, PGlite an optional peer named when missing", async () => {
    // The error comes from the driver, after @elyzor/keys, kysely and pg were loaded from node_modules.
    const down = await installed(['list', '--db-url', 'postgres://app:pw@127.0.0.1:1/keys']);
    expect(down).toMatchObject({ code: 1, stdout: '' });
    expect(down.stderr).toMatch(/^error: cannot use the database postgres:\/\/127\.0\.0\.1:1\/keys: .*ECONNREFUSED/);
    const pglite = await installed(['create', '--name', 'x', '--db-url', 'pglite:./keys-db']);
    expect(pglite).toMatchObject({ code: 1, stdout: '', stderr: 'error: a pglite: database needs the package @electric-sql/pglite: install it beside @elyzor/cli (npm install -g @electric-sql/pglite)\n' });
  }, 60_000);
});
