import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published shape: `npm pack` of @elyzor/nest and its workspace dependencies, installed from
 * the tarballs into fresh CommonJS Nest projects (@nestjs/core 10 and 11), compiled with tsc as
 * a Nest project compiles (CommonJS, decorators with metadata, implicit injection) and run: a
 * real Nest app on a port that creates a key and answers with it and without.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const PACKAGES = ['contract', 'core', 'keys', 'sdk', 'nest'];
let dir: string;
let tarballs: Record<string, string>;

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

const MAIN_TS = `
import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, CurrentApiKey, Scopes, type ApiKey } from '@elyzor/nest';

@Injectable()
class AppService {
  constructor(private readonly apiKeyService: ApiKeyService) {}
  createKey() {
    return this.apiKeyService.create({ name: 'My App', scopes: ['read:projects'] });
  }
}

@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  @Scopes('read:projects')
  findAll(@CurrentApiKey() key: ApiKey) {
    return { name: key.name };
  }
}

@Module({ imports: [ApiKeyModule.register({ adapter: 'memory', secretLength: 32 })], controllers: [ProjectController], providers: [AppService] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const { token } = await app.get(AppService).createKey();
  const ok = await fetch(url + '/projects', { headers: { 'x-api-key': token } });
  const missing = await fetch(url + '/projects');
  console.log(JSON.stringify({ ok: ok.status, body: await ok.json(), missing: missing.status, hex: /^[0-9a-f]{32}$/.test(token) }));
  await app.close();
}
void main();
`;

function nestProject(major: 10 | 11): string {
  const at = join(dir, `nest-${major}`);
  mkdirSync(at);
  const ours = Object.fromEntries(PACKAGES.map((p) => [`@elyzor/${p}`, `file:${tarballs[p]}`]));
  const nest = major === 10 ? '^10.4.0' : '^11.0.0';
  const pkg = {
    name: `nest-${major}-app`,
    version: '1.0.0',
    private: true,
    dependencies: { ...ours, '@nestjs/common': nest, '@nestjs/core': nest, '@nestjs/platform-express': nest, 'reflect-metadata': '^0.2.0', rxjs: '^7.8.0' },
    devDependencies: { '@types/node': '^20' },
  };
  writeFileSync(join(at, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(
    join(at, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'commonjs', target: 'ES2021', strict: true, outDir: 'dist', experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true, skipLibCheck: false, types: ['node'], lib: ['ES2022', 'DOM'] },
      include: ['main.ts'],
    }),
  );
  writeFileSync(join(at, 'main.ts'), MAIN_TS);
  // One npm cache for both projects (npm's default), so what the first install fetched the second reuses.
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-package-lock'], at);
  return at;
}

beforeAll(() => {
  run('node', [tsc, '-b', 'packages/nest'], root);
  run('node', [join(root, 'scripts', 'build-cjs.mjs')], root);
  dir = mkdtempSync(join(tmpdir(), 'elyzor-nest-pack-'));
  run('npm', ['pack', '--silent', '--pack-destination', dir, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])], root);
  const files = readdirSync(dir);
  tarballs = Object.fromEntries(PACKAGES.map((p) => [p, join(dir, files.find((f) => f.startsWith(`elyzor-${p}-`)) ?? `elyzor-${p}-missing.tgz`)]));
}, 400_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('packaging', () => {
  it('the tarball holds the ESM and CommonJS builds with types, no sources or tests', () => {
    const list = run('tar', ['-tzf', tarballs.nest as string], dir).split('\n');
    for (const build of ['esm', 'cjs']) {
      expect(list).toContain(`package/dist/${build}/index.js`);
      expect(list).toContain(`package/dist/${build}/index.d.ts`);
      expect(list).toContain(`package/dist/${build}/typeorm.js`);
    }
    expect(list).toContain('package/dist/cjs/package.json');
    expect(list.filter((f) => f.includes('/src/') || f.includes('/test/'))).toEqual([]);
  });

  it.each([10, 11] as const)('installs into a fresh CommonJS Nest %i project, compiles with tsc and answers', async (major) => {
    const at = nestProject(major);
    run('node', [tsc, '-p', '.'], at);
    const { stdout } = await promisify(execFile)('node', ['dist/main.js'], { cwd: at, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({ ok: 200, body: { name: 'My App' }, missing: 401, hex: true });
  }, 600_000);
});
