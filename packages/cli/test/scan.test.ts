import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCredential, type CredentialType, type Environment } from '@elyzor/core';
import { elyzor } from './helpers.js';

/**
 * `elyzor scan` through the binary, offline: a temporary tree and a temporary git repository
 * with real credentials (made by the engine's generator) and look-alikes whose checksum is wrong.
 */
let dir: string;
const env = (): Record<string, string> => ({ HOME: dir });

const credential = (type: CredentialType, environment: Environment = 'live') => generateCredential(type, environment);
/** The same shape with one checksum character changed: not a credential. */
const broken = (token: string): string => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
const secretOf = (token: string): string => token.slice(token.indexOf('.') + 1);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'elyzor-cli-scan-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('elyzor scan <paths>', () => {
  it('reports each credential whose checksum holds as file:line, type and prefix, never the secret; exit 1', async () => {
    const tree = join(dir, 'tree');
    const [sk, svc, rk, skTest, lookAlike] = [credential('sk'), credential('svc'), credential('rk'), credential('sk', 'test'), credential('sk')];
    mkdirSync(join(tree, 'config', 'deep'), { recursive: true });
    mkdirSync(join(tree, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(tree, '.env'), `# settings\nELYZOR_KEY=${sk.token}\nOTHER=${broken(lookAlike.token)}\n`);
    writeFileSync(join(tree, 'config', 'deep', 'app.json'), `{\n  "a": 1,\n  "service": "${svc.token}", "root": "${rk.token}"\n}\n`);
    writeFileSync(join(tree, 'config', 'fixture.bin'), Buffer.concat([Buffer.from([0, 1, 2, 0xff, 10]), Buffer.from(`x ${skTest.token}\0`)]));
    writeFileSync(join(tree, 'node_modules', 'pkg', 'index.js'), `const k = '${credential('sk').token}';\n`);
    writeFileSync(join(tree, 'README.md'), `A look-alike: ${broken(credential('svc').token)}\nsk_live_short.abc\n`);

    const run = await elyzor(['scan', tree], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `${join(tree, '.env')}:2: sk sk_live_${sk.publicId}`,
      `${join(tree, 'config', 'deep', 'app.json')}:3: svc svc_live_${svc.publicId}`,
      `${join(tree, 'config', 'deep', 'app.json')}:3: rk rk_live_${rk.publicId}`,
      `${join(tree, 'config', 'fixture.bin')}:2: sk sk_test_${skTest.publicId}`,
    ]);
    expect(run.stderr).toMatch(/4 leaked Elyzor credentials/);
    for (const token of [sk, svc, rk, skTest]) expect(run.stdout + run.stderr).not.toContain(secretOf(token.token));

    const json = await elyzor(['scan', join(tree, '.env'), '--json'], { env: env() });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual([{ path: join(tree, '.env'), line: 2, type: 'sk', environment: 'live', publicId: sk.publicId, prefix: `sk_live_${sk.publicId}` }]);
  });

  it('a tree with only look-alikes is clean: exit 0', async () => {
    const clean = join(dir, 'clean');
    mkdirSync(clean);
    writeFileSync(join(clean, 'notes.txt'), `${broken(credential('sk').token)}\n${broken(credential('rk').token)}\nsk_live_${'a'.repeat(16)}.${'b'.repeat(49)}\n`);
    const run = await elyzor(['scan', clean], { env: env() });
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(run.stderr).toMatch(/no leaked Elyzor credentials found/);
    expect(JSON.parse((await elyzor(['scan', clean, '--json'], { env: env() })).stdout)).toEqual([]);
  });

  it('a path that does not exist is a usage error: exit 2', async () => {
    const run = await elyzor(['scan', join(dir, 'nope')], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no such file or directory/);
  });
});

describe('elyzor scan --git', () => {
  const git = (repo: string, ...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-C', repo, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir } }).trim();

  it('finds a credential removed since, in an old commit and on another branch, with the commit that added it', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    const [old, side] = [credential('sk'), credential('svc')];
    writeFileSync(join(repo, 'app.js'), `const a = 1;\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'first');
    writeFileSync(join(repo, 'app.js'), `const a = 1;\nconst b = 2;\nconst key = '${old.token}';\nconst c = '${broken(credential('sk').token)}';\n`);
    git(repo, 'commit', '-qam', 'add the key');
    const leaked = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(join(repo, 'app.js'), `const a = 1;\nconst key = process.env.KEY;\n`);
    git(repo, 'commit', '-qam', 'remove the key');
    git(repo, 'checkout', '-qb', 'side');
    writeFileSync(join(repo, 'side.yml'), `token: ${side.token}\n`);
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'side');
    const onSide = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '-q', 'main');

    // The working tree is clean: the files scan finds nothing.
    expect((await elyzor(['scan', repo], { env: env() })).code).toBe(0);

    const run = await elyzor(['scan', '--git', repo], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n').sort()).toEqual([`${leaked.slice(0, 12)}:app.js:3: sk sk_live_${old.publicId}`, `${onSide.slice(0, 12)}:side.yml:1: svc svc_live_${side.publicId}`].sort());
    expect(run.stdout + run.stderr).not.toContain(secretOf(old.token));
    const json = JSON.parse((await elyzor(['scan', '--git', repo, '--json'], { env: env() })).stdout) as Array<{ commit: string; path: string }>;
    expect(json.map((f) => [f.commit, f.path]).sort()).toEqual([[leaked, 'app.js'], [onSide, 'side.yml']].sort());
  });

  it('a directory that is not a repository: exit 1 with git\'s message', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    const run = await elyzor(['scan', '--git', plain], { env: { ...env(), GIT_CEILING_DIRECTORIES: dir } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/git log failed/);
  });
});
