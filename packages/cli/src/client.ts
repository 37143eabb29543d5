import { Elyzor } from '@elyzor/sdk';
import type { Command } from 'commander';
import { readConfig, updateConfig, type StoredSession } from './config.js';
import { CliError, UsageError } from './errors.js';

/** The options every command takes (declared once, on the program). */
export interface GlobalOptions {
  baseUrl?: string;
  json?: boolean;
}

export const DEFAULT_BASE_URL = 'http://localhost:3000';

export const globalsOf = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

/** `--base-url`, else `ELYZOR_URL`, else the server of the last login, else localhost:3000; no trailing slash. */
export function baseUrlOf(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  const url = globals.baseUrl ?? env.ELYZOR_URL ?? readConfig(env).baseUrl ?? DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`the base URL must be an http(s) URL, not "${url}"`);
  return url.replace(/\/+$/, '');
}

/** A client with no credential: for login, registration and verification. */
export function anonymous(globals: GlobalOptions): Elyzor {
  return new Elyzor({ baseUrl: baseUrlOf(globals) });
}

/**
 * A client that acts as `ELYZOR_ROOT_KEY` when it is set, else as the session stored for this
 * server by `elyzor login`. Tokens the SDK refreshes are written back at once (the server
 * replaces the refresh token on each use).
 */
export function connect(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Elyzor {
  const baseUrl = baseUrlOf(globals, env);
  const rootKey = env.ELYZOR_ROOT_KEY;
  if (rootKey !== undefined && rootKey !== '') return new Elyzor({ baseUrl, rootKey });
  const session: StoredSession | undefined = readConfig(env).sessions[baseUrl];
  if (session === undefined) throw new CliError(`not logged in to ${baseUrl}: run \`elyzor login\`, or set ELYZOR_ROOT_KEY`);
  return new Elyzor({
    baseUrl,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken ?? undefined,
    onTokens: (tokens) =>
      updateConfig((config) => {
        config.sessions[baseUrl] = { email: session.email, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? null };
      }, env),
  });
}
