import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { startElyzor, type RunningElyzor } from '../../sdk/test/helpers.js';

/** The built binary, as `npm i -g @elyzor/cli` runs it. */
export const BIN = fileURLToPath(new URL('../bin/elyzor.js', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `elyzor …` as a child process (asynchronously: the server it talks to runs in this
 * process), with only the environment given besides PATH — HOME pointed at a temporary
 * directory, never the user's own.
 */
export function elyzor(args: string[], options: { env: Record<string, string>; input?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** `elyzor … --json` that must succeed: its parsed output. */
export async function elyzorJson<T = Record<string, unknown>>(args: string[], options: { env: Record<string, string>; input?: string }): Promise<T> {
  const run = await elyzor([...args, '--json'], options);
  if (run.code !== 0) throw new Error(`elyzor ${args.join(' ')} exited ${run.code}:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A temporary HOME, removed by `remove()`. */
export function tempHome(): { home: string; remove(): void } {
  const home = mkdtempSync(join(tmpdir(), 'elyzor-cli-home-'));
  return { home, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Every file under `dir` with its mode and text. */
export function filesUnder(dir: string): Array<{ path: string; mode: number; text: string }> {
  return readdirSync(dir, { recursive: true })
    .map((entry) => join(dir, String(entry)))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, mode: statSync(path).mode & 0o777, text: readFileSync(path, 'latin1') }));
}

export const password = 'correct horse battery';
export const uniqueEmail = (tag: string): string => `cli-${tag}-${randomUUID()}@example.com`;
