/**
 * The CommonJS builds of the packages that are published (contract, core, keys, sdk and nest): `tsc` once more with
 * `module: commonjs` into `dist/cjs`, and a `package.json` there that says so, since the
 * packages themselves are `"type": "module"`. The ESM builds come from `tsc -b` before this.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

for (const pkg of ['contract', 'core', 'keys', 'sdk', 'nest']) {
  const dir = join(root, 'packages', pkg);
  execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.cjs.json')], { stdio: 'inherit' });
  writeFileSync(join(dir, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
}
