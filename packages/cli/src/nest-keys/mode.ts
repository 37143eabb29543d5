import { connect, type GlobalOptions } from '../client.js';
import { UsageError } from '../errors.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../local/database-url.js';
import { remoteKeys } from './remote.js';
import type { NestKeys } from './view.js';

/** The options that choose where the keys are, on each of the seed's commands. */
export interface WhereOptions {
  dbUrl?: string;
  table?: string;
  secretLength?: number;
  project?: string;
}

export type Mode = { local: DatabaseTarget } | { remote: string };

/**
 * Local or remote, decided before anything is opened: `--db-url` is local and `--project` remote;
 * else `DATABASE_URL` (as nest-api-key-auth's CLI reads it) is local and `ELYZOR_PROJECT` remote.
 * An explicit flag beats the other mode's variable; both flags at once are a usage error.
 */
export function modeOf(options: WhereOptions, env: NodeJS.ProcessEnv = process.env): Mode {
  if (options.dbUrl !== undefined && options.project !== undefined) throw new UsageError('--db-url (local mode) and --project (remote mode) exclude each other');
  const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value);
  const dbUrl = options.dbUrl ?? (options.project === undefined ? nonEmpty(env.DATABASE_URL) : undefined);
  if (dbUrl !== undefined) return { local: parseDatabaseUrl(dbUrl) };
  if (options.table !== undefined || options.secretLength !== undefined) throw new UsageError('--table and --secret-length are for local mode: give --db-url or DATABASE_URL');
  const project = options.project ?? nonEmpty(env.ELYZOR_PROJECT);
  if (project === undefined) throw new UsageError('where are the keys? --db-url <url> or DATABASE_URL (local mode: the app\'s database), or --project <projectId> or ELYZOR_PROJECT (remote mode: an Elyzor server)');
  return { remote: project };
}

/** The keys of the mode `modeOf` chose; `create` lets local mode make the table when it is missing. */
export async function openNestKeys(globals: GlobalOptions, options: WhereOptions, { create }: { create: boolean }): Promise<NestKeys> {
  const mode = modeOf(options);
  if ('remote' in mode) return remoteKeys(connect(globals), mode.remote);
  // Loaded only here: the other commands start without the database drivers.
  const { openLocalKeys } = await import('./local.js');
  return openLocalKeys(mode.local, { table: options.table ?? 'api_keys', secretLength: options.secretLength ?? 64, create });
}
