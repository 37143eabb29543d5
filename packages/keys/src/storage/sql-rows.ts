import type { ApiKeyRecord, ApiKeyMetadata, AuditLog } from '../types.js';

/** A `metadata` value as read: an object from jsonb, or a JSON string from a text column. */
export function metadataOf(value: unknown): ApiKeyMetadata {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('API key row has no metadata object');
  return parsed as ApiKeyMetadata;
}

export function recordOf(row: { id: unknown; keyHash: unknown; metadata: unknown }): ApiKeyRecord {
  return { id: String(row.id), keyHash: String(row.keyHash), metadata: metadataOf(row.metadata) };
}

export function logOf(row: Record<string, unknown>): AuditLog {
  const log: AuditLog = {
    id: String(row.id),
    action: String(row.action) as AuditLog['action'],
    keyId: String(row.keyId),
    ownerId: String(row.ownerId),
    timestamp: row.timestamp instanceof Date ? row.timestamp.toISOString() : String(row.timestamp),
  };
  const data: unknown = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
  if (typeof data === 'object' && data !== null) log.data = data as Record<string, unknown>;
  return log;
}

/**
 * PostgreSQL, for the SQL stores' tables. The key table is keypal's; the audit table is optional.
 *
 *   CREATE TABLE api_keys (id TEXT PRIMARY KEY, key_hash TEXT UNIQUE NOT NULL, metadata JSONB NOT NULL);
 */
export function createTableSql(table: string, auditLogTable?: string): string {
  const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
  let text =
    `CREATE TABLE IF NOT EXISTS ${q(table)} (id TEXT PRIMARY KEY, key_hash TEXT UNIQUE NOT NULL, metadata JSONB NOT NULL);\n` +
    `CREATE INDEX IF NOT EXISTS ${q(`${table}_owner_idx`)} ON ${q(table)} ((metadata->>'ownerId'));\n` +
    `CREATE INDEX IF NOT EXISTS ${q(`${table}_metadata_idx`)} ON ${q(table)} USING GIN (metadata jsonb_path_ops);\n`;
  if (auditLogTable !== undefined) {
    text +=
      `CREATE TABLE IF NOT EXISTS ${q(auditLogTable)} (id TEXT PRIMARY KEY, action TEXT NOT NULL, key_id TEXT NOT NULL, owner_id TEXT NOT NULL, timestamp TEXT NOT NULL, data JSONB);\n` +
      `CREATE INDEX IF NOT EXISTS ${q(`${auditLogTable}_key_idx`)} ON ${q(auditLogTable)} (key_id, timestamp);\n` +
      `CREATE INDEX IF NOT EXISTS ${q(`${auditLogTable}_owner_idx`)} ON ${q(auditLogTable)} (owner_id, timestamp);\n`;
  }
  return text;
}
