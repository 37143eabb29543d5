import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Where local mode's keys are: a PostgreSQL server (`postgres://…`, `postgresql://…`) or a PGlite
 * data directory (`pglite:<directory>`, relative to the working directory). Decided before
 * anything is opened; the password of a URL is never repeated in a message.
 */
export type DatabaseTarget = { driver: 'postgres'; url: string; shown: string } | { driver: 'pglite'; dir: string; shown: string };

export function parseDatabaseUrl(value: string, cwd: string = process.cwd()): DatabaseTarget {
  const text = value.trim();
  if (text.startsWith('pglite:')) {
    const path = text.slice('pglite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new UsageError('a PGlite database is pglite:<directory>, e.g. pglite:./keys-db');
    const dir = resolve(cwd, path);
    return { driver: 'pglite', dir, shown: `pglite:${dir}` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`the database URL is not a valid ${scheme}:// URL`);
    }
    if (url.hostname === '' && !url.searchParams.has('host')) throw new UsageError(`the database URL names no host: ${scheme}://user:password@host:5432/database`);
    return { driver: 'postgres', url: text, shown: `${scheme}://${url.host}${url.pathname}` };
  }
  throw new UsageError(`the database URL must be postgres://…, postgresql://… or pglite:<directory>, not ${scheme === undefined ? 'that' : `${scheme}:…`}`);
}
