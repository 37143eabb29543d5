import { read } from 'read';
import { UsageError } from './errors.js';

/** Whether a person is at the keyboard: prompts need a terminal on stdin. */
export const interactive = (): boolean => process.stdin.isTTY === true;

/** Asks on stderr (stdout stays clean for `--json`); `secret` turns echo off. */
export async function ask(question: string, options: { secret?: boolean; flag: string }): Promise<string> {
  if (!interactive()) throw new UsageError(`no terminal to ask for it: pass ${options.flag}`);
  const answer = await read({ prompt: question, silent: options.secret === true, replace: '', output: process.stderr });
  return String(answer).trim();
}

/** Everything on stdin, without its last line break: `--password-stdin`, `verify -`. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
