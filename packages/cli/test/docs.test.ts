import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIAL_PATTERN_SOURCE, generateCredential, type CredentialType, type Environment } from '@elyzor/core';
import { Elyzor, ElyzorError } from '@elyzor/sdk';
import { buildProgram } from '../src/program.js';
import { credentialsIn, SCAN_PATTERN } from '../src/scan/pattern.js';
import { BIN, startElyzor, tempHome, type RunningElyzor } from './helpers.js';

/**
 * docs/cli.md holds what it says: its examples run (bash, with `elyzor` the built binary, against
 * a real Elyzor), its published pattern and the gitleaks and GitHub rules are the scanner's, and
 * every command and option of the CLI is on the page.
 */
const page = readFileSync(fileURLToPath(new URL('../../../docs/cli.md', import.meta.url)), 'utf8');
const examples = new Map([...page.matchAll(/<!-- example: ([\w-]+) -->\n```sh\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
const block = (marker: string): string => /```\w*\n([\s\S]*?)```/.exec(page.slice(page.indexOf(`<!-- ${marker} -->`)))?.[1] ?? '';

let server: RunningElyzor;
let home: ReturnType<typeof tempHome>;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startElyzor();
  // The page's account. A database kept between runs (PostgreSQL) may hold it already.
  await new Elyzor({ baseUrl: server.baseUrl }).auth.register('you@example.com', 'yourpassword').catch((error: unknown) => {
    if (!(error instanceof ElyzorError && error.code === 'validation_error')) throw error;
  });
  home = tempHome();
  const bin = join(home.home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'elyzor'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'elyzor'), 0o755);
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: home.home };
});

afterAll(async () => {
  home?.remove();
  await server?.close();
});

async function runExample(name: string, cwd: string): Promise<string> {
  const script = (examples.get(name) ?? '').replaceAll('http://localhost:3000', server.baseUrl);
  expect(script).not.toBe('');
  try {
    return (await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8' })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`example ${name} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('docs/cli.md examples', () => {
  it('every example on the page is run here', () => {
    expect([...examples.keys()].sort()).toEqual(['lifecycle', 'nest-local', 'scan']);
  });

  it("a key's life: login, project, key, verify, rotate, revoke, audit export, logout", async () => {
    const cwd = join(home.home, 'lifecycle');
    mkdirSync(cwd);
    const stdout = await runExample('lifecycle', cwd);
    expect(stdout).toMatch(/^valid$/m);
    expect(stdout).toMatch(/^refused: insufficient_scope\n[\s\S]*^exit 1$/m);
    expect(stdout).toMatch(/^revoked /m);
    expect(stdout).toMatch(/^id,.*action/m);
    expect(stdout).toMatch(/^logged out of /m);
    expect(readFileSync(join(cwd, 'audit.csv'), 'utf8')).toMatch(/key\.rotated[\s\S]*key\.created|key\.created[\s\S]*key\.rotated/);
  });

  it("the NestJS module's keys in local mode: create, list, rotate, revoke on a PGlite directory", async () => {
    const cwd = join(home.home, 'nest-local');
    mkdirSync(cwd);
    const stdout = await runExample('nest-local', cwd);
    expect(stdout).toMatch(/^token: [0-9a-f]{64}$/m);
    expect(stdout).toMatch(/^revoked \S+$/m);
    // The listing at the end: the revoked key and the one rotated to, with the example's settings.
    const listing = stdout.slice(stdout.lastIndexOf('ID '));
    expect([...listing.matchAll(/ My App +(\w+) /g)].map((m) => m[1])).toEqual(['revoked', 'active']);
  }, 240_000);

  it('the CI scan passes on a clean repository', async () => {
    const cwd = join(home.home, 'repo');
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'app.js'), 'const key = process.env.ELYZOR_KEY;\n');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, env });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'clean');
    await runExample('scan', cwd);
  });
});

describe('the published pattern', () => {
  const kinds: Array<[CredentialType, Environment]> = [['sk', 'live'], ['sk', 'test'], ['svc', 'live'], ['svc', 'test'], ['rk', 'live'], ['rk', 'test']];
  const published = block('pattern').trim();

  it('is the one the scanner uses, and matches generated credentials of every type and environment', () => {
    expect(published).toBe(SCAN_PATTERN);
    for (const [type, environment] of kinds) {
      const { token } = generateCredential(type, environment);
      expect([...`export KEY="${token}"`.matchAll(new RegExp(published, 'g'))].map((m) => m[0])).toEqual([token]);
      expect(new RegExp(published).test(`x${token}`)).toBe(false);
    }
  });

  it('the gitleaks rule has the same regex and a keyword for every prefix', () => {
    const toml = block('gitleaks');
    expect(/^regex = '''(.*)'''$/m.exec(toml)?.[1]).toBe(SCAN_PATTERN);
    const keywords = JSON.parse(/^keywords = (\[.*\])$/m.exec(toml)?.[1] ?? '[]') as string[];
    expect(keywords.sort()).toEqual(kinds.map(([type, environment]) => `${type}_${environment}_`).sort());
  });

  it('the GitHub custom pattern is the engine\'s shape with the same boundaries, and its test string matches', () => {
    const table = page.slice(page.indexOf('<!-- github -->'));
    const field = (name: string): string => (new RegExp(`^\\| ${name} \\| \`(.*)\` \\|$`, 'm').exec(table)?.[1] ?? '').replaceAll('\\|', '|');
    expect(field('Secret format')).toBe(CREDENTIAL_PATTERN_SOURCE);
    // \A and \z (RE2's start and end of text) as JavaScript writes them.
    const js = (re2: string): string => re2.replace('\\A', '^').replace('\\z', '$');
    const github = new RegExp(`(?:${js(field('Before secret'))})(${field('Secret format')})(?:${js(field('After secret'))})`, 'g');
    for (const [type, environment] of kinds) {
      const { token } = generateCredential(type, environment);
      for (const text of [token, `KEY=${token}\n`, `"${token}"`]) expect([...text.matchAll(github)].map((m) => m[1])).toEqual([token]);
      for (const text of [`x${token}`, `_${token}`, `${token}x`]) expect(github.test(text)).toBe(false);
      github.lastIndex = 0;
    }
    // The test string has the shape, not a valid checksum: `elyzor scan` of this repository finds nothing here.
    expect(new RegExp(SCAN_PATTERN).test(field('Test string'))).toBe(true);
    expect(credentialsIn(field('Test string'))).toEqual([]);
  });
});

describe('the reference', () => {
  const commands = (command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> =>
    command.commands.flatMap((child) => [{ path: [...path, child.name()], command: child }, ...commands(child, [...path, child.name()])]);
  const all = commands(buildProgram());

  it('names every command and every option', () => {
    expect(all.length).toBeGreaterThan(40);
    for (const { path, command } of all) {
      // `elyzor services …` has the commands of `elyzor keys …`; the page says so once.
      const named = path[0] === 'services' && path.length > 1 ? `elyzor keys ${path.slice(1).join(' ')}` : `elyzor ${path.join(' ')}`;
      expect(page, named).toContain(`\`${named}`);
      for (const option of command.options) expect(page, `${named} ${option.long ?? ''}`).toMatch(new RegExp(`[\` ]${option.long ?? ''}\\b`));
    }
  });

  it('every command has a description and its own --help', () => {
    for (const { path, command } of all) {
      expect(command.description(), path.join(' ')).not.toBe('');
      expect(command.helpInformation(), path.join(' ')).toMatch(new RegExp(`^Usage: elyzor ${path.join(' ')}`));
    }
  });
});
