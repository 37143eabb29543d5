import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest's global setup of the CLI's projects: the tests spawn the built binary, so it is built
 * first (`tsc -b`: nothing to do when it is up to date). Two projects may start at once: one
 * build at a time, behind a lock file.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

export default async function setup(): Promise<void> {
  const lock = join(root, 'packages/cli/.build.lock');
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // A lock older than a build can take was left by a killed run.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) rmSync(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: root, stdio: 'inherit' });
  } finally {
    rmSync(lock, { force: true });
  }
}
