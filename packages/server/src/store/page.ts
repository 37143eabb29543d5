import { isStorableDate, validationError, type Page } from '@elyzor/core';
import { sql, type RawBuilder } from 'kysely';

/** Keyset pagination over (created_at desc, id desc): stable under inserts, no OFFSET scans. */
export type { Page, PageRequest } from '@elyzor/core';
export { isStorableDate };

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`).toString('base64url');
}

/** The id column's type: projects and credentials have UUIDs, audit events integers. */
export type CursorIdType = 'uuid' | 'bigint';

const ID_PATTERN: Record<CursorIdType, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  // 18 digits at most: always within bigint.
  bigint: /^\d{1,18}$/,
};

/** A malformed cursor is the caller's mistake: 400, never a 500 from a bad query. */
export function decodeCursor(cursor: string, idType: CursorIdType = 'uuid'): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [iso, id] = text.split('|');
  const createdAt = new Date(iso ?? '');
  if (id === undefined || !isStorableDate(createdAt) || !ID_PATTERN[idType].test(id)) {
    throw validationError('cursor is not valid');
  }
  return { createdAt, id };
}

/** The keyset condition "after this cursor" for a query ordered by (created_at desc, id desc). */
export function afterCursor(cursor: string, idType: CursorIdType = 'uuid', table = '', idColumn = 'id'): RawBuilder<boolean> {
  const after = decodeCursor(cursor, idType);
  // Column names are ours (never input): a table prefix for queries that join.
  const columns = sql.raw(`(${table}created_at, ${table}${idColumn})`);
  return idType === 'uuid'
    ? sql<boolean>`${columns} < (${after.createdAt}, ${after.id}::uuid)`
    : sql<boolean>`${columns} < (${after.createdAt}, ${after.id}::bigint)`;
}

/** Turns `limit + 1` fetched rows into a page and its next cursor. */
export function toPage<T extends { created_at: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.created_at, id: String(last.id) }) : null };
}
