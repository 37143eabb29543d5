import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElyzor, type RunningElyzor } from './helpers.js';

/**
 * The published shape: `npm pack` of contract and sdk, installed from the tarballs into an empty
 * ESM project and into a CommonJS TypeScript project (with Express, for the subpath's types),
 * each talking to a real Elyzor. The SDK is built first, so the tarball holds what the sources say.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir: string;
let tarballs: { contract: string; sdk: string };
let elyzor: RunningElyzor;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', ...env } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** A script that talks to the Elyzor of this process: run without blocking its event loop. */
async function runAsync(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  try {
    return (await promisify(execFile)('node', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function project(name: string, pkg: Record<string, unknown>, files: Record<string, string>): string {
  const at = join(dir, name);
  mkdirSync(at);
  const dependencies = { '@elyzor/contract': `file:${tarballs.contract}`, '@elyzor/sdk': `file:${tarballs.sdk}`, ...((pkg.dependencies as object | undefined) ?? {}) };
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...pkg, dependencies }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(at, file), text);
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-package-lock'], at);
  return at;
}

beforeAll(async () => {
  run('node', [tsc, '-b', 'packages/sdk'], root);
  run('node', [join(root, 'scripts', 'build-cjs.mjs')], root);
  dir = mkdtempSync(join(tmpdir(), 'elyzor-sdk-pack-'));
  run('npm', ['pack', '--silent', '--pack-destination', dir, '-w', 'packages/contract', '-w', 'packages/sdk'], root);
  const files = readdirSync(dir);
  const find = (prefix: string): string => join(dir, files.find((f) => f.startsWith(prefix)) ?? `${prefix}-missing.tgz`);
  tarballs = { contract: find('elyzor-contract-'), sdk: find('elyzor-sdk-') };
  elyzor = await startElyzor();
}, 120_000);

afterAll(async () => {
  await elyzor?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('packaging', () => {
  it('the tarball holds both builds and every subpath, no sources or tests', () => {
    const list = run('tar', ['-tzf', tarballs.sdk], dir).split('\n');
    for (const entry of ['index', 'middleware/express', 'middleware/fastify', 'middleware/hono']) {
      expect(list).toContain(`package/dist/esm/${entry}.js`);
      expect(list).toContain(`package/dist/cjs/${entry}.js`);
      expect(list).toContain(`package/dist/cjs/${entry}.d.ts`);
    }
    expect(list).toContain('package/dist/cjs/package.json');
    expect(list.filter((f) => f.includes('/src/') || f.includes('/test/') || f.endsWith('.test.js'))).toEqual([]);
  });

  it('the main entry uses no Node.js API (fetch and Web Crypto only); frameworks are optional peers', () => {
    const sources = run('git', ['ls-files', 'packages/sdk/src'], root).trim().split('\n').filter((f) => !f.includes('/middleware/') && !f.endsWith('.test.ts'));
    expect(sources.length).toBeGreaterThan(5);
    const offenders = sources.filter((file) => /from ['"](node:|fs|path|crypto|http|https|os|buffer)['"/]|require\(/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
    // At run time the main entry imports nothing outside itself: the contract is types only.
    const built = readdirSync(join(root, 'packages/sdk/dist/esm'), { recursive: true }).map(String).filter((f) => f.endsWith('.js') && !f.startsWith('middleware'));
    const external = built.flatMap((f) => [...readFileSync(join(root, 'packages/sdk/dist/esm', f), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '')).filter((s) => !s.startsWith('.'));
    expect(external).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(root, 'packages/sdk/package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(manifest.peerDependenciesMeta ?? {}).sort()).toEqual(['express', 'fastify', 'hono']);
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(['@elyzor/contract', 'typebox']);
  });

  it('installs into an empty ESM project and works there against a real Elyzor', async () => {
    const at = project(
      'esm-app',
      { type: 'module' },
      {
        'index.js': `
import { Elyzor, ElyzorError } from '@elyzor/sdk';
const elyzor = new Elyzor({ baseUrl: process.env.ELYZOR_URL });
await elyzor.auth.register('esm-' + Date.now() + '@example.com', 'correct horse battery');
const project = await elyzor.projects.create({ name: 'esm' });
const { key } = await elyzor.keys.create(project.id, { scopes: ['read'] });
const ok = await elyzor.verify(key, { scopes: ['read'] });
const refused = await elyzor.verify(key, { scopes: ['write'] });
const error = await elyzor.projects.delete('nope').catch((e) => e);
console.log(JSON.stringify({ ok: ok.valid, refused: refused.error, error: error instanceof ElyzorError && error.code }));
`,
      },
    );
    expect(JSON.parse(await runAsync(['index.js'], at, { ELYZOR_URL: elyzor.baseUrl }))).toEqual({ ok: true, refused: 'insufficient_scope', error: 'not_found' });
  }, 90_000);

  it('installs into a CommonJS TypeScript project: types resolve (the express subpath too), it compiles and runs', async () => {
    const at = project(
      'cjs-app',
      { devDependencies: { '@types/node': '^20', '@types/express': '^5' }, dependencies: { express: '^5' } },
      {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true, outDir: 'out', esModuleInterop: true, types: ['node'], lib: ['ES2022', 'DOM'] },
          include: ['index.ts'],
        }),
        'index.ts': `
import express from 'express';
import { Elyzor, type IssuedKey, type VerifyKeyResult } from '@elyzor/sdk';
import { elyzorAuth, requireScopes } from '@elyzor/sdk/express';

async function main(): Promise<void> {
  const elyzor = new Elyzor({ baseUrl: process.env.ELYZOR_URL ?? '' });
  await elyzor.auth.register('cjs-' + Date.now() + '@example.com', 'correct horse battery');
  const project = await elyzor.projects.create({ name: 'cjs' });
  const issued: IssuedKey = await elyzor.keys.create(project.id, { scopes: ['read'] });
  const result: VerifyKeyResult = await elyzor.verify(issued.key);
  const app = express();
  app.use(elyzorAuth({ elyzor }));
  app.get('/', requireScopes('read'), (req, res) => void res.json({ keyId: req.elyzor?.keyId }));
  const server = app.listen(0, '127.0.0.1', async () => {
    const port = (server.address() as { port: number }).port;
    const answer = await fetch('http://127.0.0.1:' + port + '/', { headers: { 'x-api-key': issued.key } });
    const body = (await answer.json()) as { keyId: string };
    console.log(JSON.stringify({ ok: result.valid, same: body.keyId === issued.id }));
    server.close();
  });
}
void main();
`,
      },
    );
    run('node', [tsc, '-p', '.'], at);
    expect(JSON.parse(await runAsync(['out/index.js'], at, { ELYZOR_URL: elyzor.baseUrl }))).toEqual({ ok: true, same: true });
  }, 180_000);
});
