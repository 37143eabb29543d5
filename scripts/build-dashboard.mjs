/**
 * Builds the dashboard (packages/dashboard → dist) only when what it is made of changed: a
 * SHA-256 over its sources, the SDK's and contract's sources it bundles, and the lockfile, kept
 * in dist/.build-stamp. `npm start` and `npm install` (prepare) run this; an unchanged tree
 * costs a hash of a few hundred files, not a Vite build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dashboard = join(root, 'packages', 'dashboard');
const stampFile = join(dashboard, 'dist', '.build-stamp');
const inputs = [
  'packages/dashboard/src',
  'packages/dashboard/index.html',
  'packages/dashboard/vite.config.ts',
  'packages/dashboard/package.json',
  'packages/sdk/src',
  'packages/contract/src',
  'package-lock.json',
];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

const hash = createHash('sha256');
for (const file of inputs.flatMap((input) => files(join(root, input)))) {
  hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
const stamp = hash.digest('hex');

if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp && existsSync(join(dashboard, 'dist', 'index.html'))) {
  process.exit(0);
}
// Always the production build, whatever NODE_ENV the caller runs with (a test runner sets `test`,
// which would make Vite bundle React's development build).
process.env.NODE_ENV = 'production';
const { build } = await import('vite');
await build({ root: dashboard, configFile: join(dashboard, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
writeFileSync(stampFile, `${stamp}\n`);
