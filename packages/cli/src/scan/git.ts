import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CliError } from '../errors.js';
import type { Finding } from './files.js';
import { credentialsIn } from './pattern.js';

/**
 * Every credential ever added in the history of the repository at `repo` (all refs and stashes):
 * `git log -p` of every commit, read as a stream; each finding names the commit that added the
 * line, the file and its line number there. A credential removed later is found all the same —
 * it is still in the history, and in every clone of it.
 */
export async function scanGitHistory(repo: string): Promise<Finding[]> {
  const git = spawn('git', ['-c', 'core.quotePath=false', '-C', repo, 'log', '--all', '-p', '--no-color', '--no-ext-diff', '--no-renames', '--unified=0', '--format=%x00commit %H'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  git.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve, reject) => {
    git.on('error', reject);
    git.on('close', (code) => resolve(code ?? 1));
  });

  const findings: Finding[] = [];
  let commit = '';
  let path: string | null = null;
  let inHeader = false;
  let line = 0;
  // latin1: one byte per character, whatever the files' encoding; credentials are ASCII.
  for await (const text of createInterface({ input: git.stdout.setEncoding('latin1'), crlfDelay: Infinity })) {
    if (text.startsWith('\0commit ')) {
      commit = text.slice('\0commit '.length);
      path = null;
    } else if (text.startsWith('diff --git ')) {
      inHeader = true;
      path = null;
    } else if (inHeader) {
      if (text.startsWith('+++ ')) path = text === '+++ /dev/null' ? null : text.slice(4).replace(/^"?b\//, '').replace(/"$/, '');
      const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(text);
      if (hunk !== null) {
        inHeader = false;
        line = Number(hunk[1]);
      }
    } else if (text.startsWith('@@ ')) {
      line = Number(/^@@ -\d+(?:,\d+)? \+(\d+)/.exec(text)?.[1] ?? line);
    } else if (text.startsWith('+')) {
      if (path !== null) for (const match of credentialsIn(text.slice(1), line)) findings.push({ path, commit, ...match });
      line++;
    } else if (text.startsWith(' ')) line++;
  }
  const code = await exited;
  if (code !== 0) throw new CliError(`git log failed in ${repo}: ${stderr.trim() || `exit ${code}`}`);
  return findings;
}
