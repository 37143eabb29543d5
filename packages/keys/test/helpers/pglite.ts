import { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * In-process PGlite behind the pool interface of Kysely's PostgresDialect. PGlite runs one query
 * at a time and queues the rest, so handing every caller the same client is safe for the
 * single-statement queries the stores make.
 */
export function pglitePool(db: PGlite): PostgresPool {
  const client = {
    async query<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
      const result = await db.query<R>(text, [...parameters]);
      const verb = text.trimStart().slice(0, 6).toUpperCase();
      const command = (['UPDATE', 'DELETE', 'INSERT', 'SELECT'].includes(verb) ? verb : 'SELECT') as PostgresQueryResult<R>['command'];
      return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
    },
    release(): void {},
  };
  return {
    connect: () => Promise.resolve(client as unknown as PostgresPoolClient),
    end: () => Promise.resolve(),
  };
}

export async function newPglite(): Promise<PGlite> {
  const db = new PGlite();
  await db.waitReady;
  return db;
}
