import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { credentialsIn, type Match } from './pattern.js';

export interface Finding extends Match {
  path: string;
  /** The commit that added it, for findings in git history. */
  commit?: string;
}

/** Directories never walked into: git's own store (`--git` reads history) and installed packages. */
const SKIPPED = new Set(['.git', 'node_modules']);
/** Larger files are reported as skipped rather than read whole into memory. */
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Every file under `paths` (files or directories), read as bytes: a credential is ASCII, so
 * reading as latin1 finds it in any encoding-agnostic file, binary ones included. Symbolic
 * links are not followed.
 */
export function scanFiles(paths: readonly string[], onSkipped: (path: string, why: string) => void): Finding[] {
  const findings: Finding[] = [];
  const visit = (path: string, top: boolean): void => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      if (top) throw new UsageError(`no such file or directory: ${path}`);
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!SKIPPED.has(entry)) visit(join(path, entry), false);
    } else if (stat.isFile()) {
      if (stat.size > MAX_BYTES) return onSkipped(path, `larger than ${MAX_BYTES / 1024 / 1024} MiB`);
      for (const match of credentialsIn(readFileSync(path).toString('latin1'))) findings.push({ path, ...match });
    }
  };
  for (const path of paths) visit(path, true);
  return findings;
}
