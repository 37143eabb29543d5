import { index, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import type { ApiKeyMetadata } from '../types.js';

/** keypal's Drizzle table, unchanged: `apikey (id, key_hash, metadata jsonb)`. */
export const apikey = pgTable(
  'apikey',
  {
    id: text().primaryKey().notNull(),
    keyHash: text('key_hash').notNull(),
    metadata: jsonb('metadata').$type<ApiKeyMetadata>().notNull(),
  },
  (table) => [index('apikey_key_hash_idx').on(table.keyHash), unique('apikey_key_hash_unique').on(table.keyHash)],
);

/** Optional audit-log table for `DrizzleStore({ auditLogTable })`. */
export const auditlog = pgTable(
  'auditlog',
  {
    id: text().primaryKey().notNull(),
    action: text('action').notNull(),
    keyId: text('key_id').notNull(),
    ownerId: text('owner_id').notNull(),
    timestamp: text('timestamp').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (table) => [index('auditlog_key_idx').on(table.keyId, table.timestamp), index('auditlog_owner_idx').on(table.ownerId, table.timestamp)],
);
