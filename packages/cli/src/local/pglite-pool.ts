import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/** The part of a PGlite instance the pool uses. */
export interface PGliteLike {
  query<R>(text: string, parameters: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
}

/**
 * PGlite behind the pool interface of Kysely's PostgresDialect. PGlite runs one query at a time
 * and queues the rest, so one client for every caller is safe for the single statements the
 * key store makes. (The dialects on npm either pin an older PGlite or bring a code generator.)
 */
export function pglitePool(db: PGliteLike): PostgresPool {
  const client = {
    async query<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
      const result = await db.query<R>(text, [...parameters]);
      const verb = text.trimStart().slice(0, 6).toUpperCase();
      const command = (['UPDATE', 'DELETE', 'INSERT', 'SELECT'].includes(verb) ? verb : 'SELECT') as PostgresQueryResult<R>['command'];
      return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
    },
    release(): void {},
  };
  return { connect: () => Promise.resolve(client as unknown as PostgresPoolClient), end: () => Promise.resolve() };
}
