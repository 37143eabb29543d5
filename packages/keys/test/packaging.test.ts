import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published shape: `npm pack` of contract, core and keys, installed from the tarballs into an empty
 * ESM project and into a CommonJS TypeScript project, and used there (create + verify, a
 * subpath store), with `tsc --noEmit` in the CommonJS one. Core and keys are built first, so
 * the tarballs hold what the sources say.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir: string;
let tarballs: { contract: string; core: string; keys: string };

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function project(name: string, pkg: Record<string, unknown>, files: Record<string, string>): string {
  const at = join(dir, name);
  mkdirSync(at);
  const dependencies = { '@elyzor/contract': `file:${tarballs.contract}`, '@elyzor/core': `file:${tarballs.core}`, '@elyzor/keys': `file:${tarballs.keys}`, ...((pkg.dependencies as object | undefined) ?? {}) };
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...pkg, dependencies }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(at, file), text);
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-package-lock'], at);
  return at;
}

beforeAll(() => {
  // Only the published packages (the server's build, which another suite runs, is left alone).
  run('node', [tsc, '-b', 'packages/keys'], root);
  run('node', [join(root, 'scripts', 'build-cjs.mjs')], root);
  dir = mkdtempSync(join(tmpdir(), 'elyzor-keys-pack-'));
  run('npm', ['pack', '--silent', '--pack-destination', dir, '-w', 'packages/contract', '-w', 'packages/core', '-w', 'packages/keys'], root);
  const files = readdirSync(dir);
  const find = (prefix: string): string => join(dir, files.find((f) => f.startsWith(prefix)) ?? `${prefix}-missing.tgz`);
  tarballs = { contract: find('elyzor-contract-'), core: find('elyzor-core-'), keys: find('elyzor-keys-') };
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

// npm installs and tsc runs: slow on a loaded machine, so these get more than the project's 30 s.
describe('packaging', () => {
  it('the tarballs hold the builds and no sources, tests or server code', () => {
    const list = run('tar', ['-tzf', tarballs.keys], dir).split('\n');
    expect(list).toContain('package/dist/esm/index.js');
    expect(list).toContain('package/dist/cjs/index.js');
    expect(list).toContain('package/dist/cjs/package.json');
    for (const build of ['esm', 'cjs']) expect(list).toContain(`package/dist/${build}/storage/typeorm.js`);
    expect(list.filter((f) => f.includes('/src/') || f.includes('/test/'))).toEqual([]);
    const core = run('tar', ['-tzf', tarballs.core], dir).split('\n');
    expect(core).toContain('package/dist/cjs/index.js');
    expect(core.filter((f) => f.endsWith('.test.js'))).toEqual([]);
  });

  it('every package users install can be published: not private, licensed, described, its files and the Node it needs named', () => {
    const manifest = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as Record<string, unknown>;
    const rootEngines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines;
    // @elyzor/keys needs core, and core the contract, from the registry: both are published too.
    for (const name of ['contract', 'core', 'keys', 'sdk', 'nest', 'cli']) {
      const pkg = manifest(name);
      expect(pkg.private, name).toBeUndefined();
      expect(pkg.license, name).toBe('MIT');
      expect(typeof pkg.description, name).toBe('string');
      expect(pkg.files, name).toContain('dist');
      expect((pkg.engines as { node?: string } | undefined)?.node, name).toMatch(/^>=20/);
    }
    // What runs core's code (its checksum is zlib.crc32, Node 20.15+) asks for the root's Node.
    for (const name of ['core', 'keys', 'nest', 'cli']) expect(manifest(name).engines, name).toEqual(rootEngines);
    const contract = run('tar', ['-tzf', tarballs.contract], dir).split('\n');
    expect(contract).toContain('package/dist/cjs/index.js');
    expect(contract.filter((f) => f.includes('/src/') || f.endsWith('.test.js'))).toEqual([]);
  });

  it('depends on core only: no source file imports the server, and the manifest names no server', () => {
    const sources = run('git', ['ls-files', 'packages/keys/src'], root).trim().split('\n');
    const offenders = sources.filter((file) => /from ['"](@elyzor\/server|(\.\.\/)+server)/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(root, 'packages', 'keys', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['@elyzor/core']);
    expect(Object.keys(manifest.peerDependenciesMeta ?? {}).sort()).toEqual(['@node-rs/argon2', '@prisma/client', 'bcryptjs', 'drizzle-orm', 'ioredis', 'kysely', 'pg', 'typeorm']);
  });

  it('installs into an empty ESM project and works there', () => {
    const at = project(
      'esm-app',
      { type: 'module' },
      {
        'index.js': `
import { createKeys, ApiKeyErrorCode } from '@elyzor/keys';
import { MemoryStore } from '@elyzor/keys/memory';
const keys = createKeys({ prefix: 'sk_', storage: new MemoryStore(), cache: true });
const { key, record } = await keys.create({ ownerId: 'esm' });
const ok = await keys.verify({ authorization: 'Bearer ' + key });
await keys.revoke(record.id);
const revoked = await keys.verify(key);
console.log(JSON.stringify({ ok: ok.valid, revoked: revoked.errorCode === ApiKeyErrorCode.REVOKED }));
`,
      },
    );
    expect(JSON.parse(run('node', ['index.js'], at))).toEqual({ ok: true, revoked: true });
  }, 90_000);

  it('installs into a CommonJS TypeScript project: types resolve, it compiles and runs', () => {
    const at = project(
      'cjs-app',
      { devDependencies: { '@types/node': '^20' } },
      {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true, outDir: 'out', esModuleInterop: true, types: ['node'] },
          include: ['index.ts'],
        }),
        'index.ts': `
import { createKeys, type ApiKeyRecord, type VerifyResult } from '@elyzor/keys';
import { MemoryStore } from '@elyzor/keys/memory';
import type { Storage } from '@elyzor/keys';

// The subpath's types resolve under CommonJS resolution (typesVersions): MemoryStore is a Storage.
const check: MemoryStore extends Storage ? true : never = true;

async function main(): Promise<void> {
  const keys = createKeys({ keyFormat: 'elyzor', storage: new MemoryStore() });
  const { key, record }: { key: string; record: ApiKeyRecord } = await keys.create({ ownerId: 'cjs', scopes: ['read'] });
  const result: VerifyResult = await keys.verify(key);
  const typo: VerifyResult = await keys.verify(key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a'));
  console.log(JSON.stringify({ ok: result.valid, read: keys.hasScope(record, 'read'), typo: typo.errorCode, check }));
}
void main();
`,
      },
    );
    run('node', [tsc, '-p', '.', '--noEmit'], at);
    run('node', [tsc, '-p', '.'], at);
    expect(JSON.parse(run('node', ['out/index.js'], at))).toEqual({ ok: true, read: true, typo: 'INVALID_FORMAT', check: true });
  }, 90_000);
});
