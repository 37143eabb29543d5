import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CliError } from './errors.js';

/**
 * The CLI's one file: `credentials.json` in `$XDG_CONFIG_HOME/elyzor` (or `~/.config/elyzor`),
 * mode 0600 in a 0700 directory. It holds the sessions of `elyzor login`, one per server, and
 * never a credential that Elyzor issues (those are printed once and nowhere kept).
 */
export interface StoredSession {
  email: string;
  accessToken: string;
  refreshToken: string | null;
}

export interface ConfigFile {
  /** The server of the last login: used when neither `--base-url` nor `ELYZOR_URL` says one. */
  baseUrl?: string;
  /** Keyed by base URL: a session is only ever sent to the server that issued it. */
  sessions: Record<string, StoredSession>;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'elyzor');
}

export const configFile = (env: NodeJS.ProcessEnv = process.env): string => join(configDir(env), 'credentials.json');

export function readConfig(env: NodeJS.ProcessEnv = process.env): ConfigFile {
  const file = configFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: {} };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ConfigFile>;
    return { ...parsed, sessions: parsed.sessions ?? {} };
  } catch {
    throw new CliError(`${file} is not valid JSON: remove it and log in again`);
  }
}

/** Written whole to a 0600 file beside it, then renamed over it: never half a file, never readable by others. */
export function writeConfig(config: ConfigFile, env: NodeJS.ProcessEnv = process.env): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Ours alone, also when it was made before with the umask's mode.
  chmodSync(dir, 0o700);
  const file = configFile(env);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Changes the stored sessions as `change` says, read and written at once. */
export function updateConfig(change: (config: ConfigFile) => void, env: NodeJS.ProcessEnv = process.env): void {
  const config = readConfig(env);
  change(config);
  writeConfig(config, env);
}
