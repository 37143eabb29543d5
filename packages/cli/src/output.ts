import type { GlobalOptions } from './client.js';

/*
 * What commands print: a table or `field: value` lines for people, JSON for scripts (`--json`).
 * Results go to stdout; warnings, prompts and errors to stderr, so `--json` output is only JSON.
 */

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** One cell: `-` for nothing, lists joined by commas, objects as compact JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Columns padded to their widest cell: plain text, easy to read and to `grep`/`awk`. */
export function table<T>(rows: readonly T[], columns: ReadonlyArray<[header: string, value: (row: T) => unknown]>): string {
  const lines = [columns.map(([header]) => header), ...rows.map((row) => columns.map(([, value]) => cell(value(row))))];
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? '').length)));
  return lines.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** `field: value` lines, in the object's order, without the fields named in `omit`. */
export function record(value: object, omit: readonly string[] = []): string {
  const entries = Object.entries(value).filter(([field]) => !omit.includes(field));
  const width = Math.max(0, ...entries.map(([field]) => field.length));
  return entries.map(([field, v]) => `${`${field}:`.padEnd(width + 2)}${cell(v)}`).join('\n');
}

/** Prints `value` as JSON with `--json`, else as `human` renders it. */
export function emit<T>(globals: GlobalOptions, value: T, human: (value: T) => string): void {
  out(globals.json === true ? JSON.stringify(value, null, 2) : human(value));
}

export const SHOWN_ONCE = {
  credential: 'This credential is shown only now: store it in your secret manager. Elyzor keeps only a digest of it; a lost one cannot be shown again (rotate it instead).',
  webhookSecret: 'This signing secret is shown only now: store it where your webhook receiver reads its secrets (rotate it to get a new one).',
} as const;

/**
 * An answer that holds a secret shown once (a key, a root key, a webhook's signing secret):
 * printed to stdout, with a warning on stderr. It is never written anywhere else.
 */
export function emitIssued<T extends object>(globals: GlobalOptions, value: T, secretField: keyof T & string, warning: string): void {
  emit(globals, value, (v) => `${record(v, [secretField])}\n\n${secretField}: ${String(v[secretField])}`);
  warn(`\n${warning}`);
}
