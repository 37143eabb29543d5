import { randomUUID } from 'node:crypto';
import type { AuditLog, AuditLogQuery, Storage } from '@elyzor/keys';
import type { AuditLogEntry } from '../service-options.js';
import { NEST_OWNER } from './records.js';

/** The library's audit-log action of a request entry; the key-change entries keep theirs. */
export const REQUEST_ACTION = 'request';

/** What `AuditLogService.query` takes: nest-api-key-auth's filters. */
export interface AuditLogQueryInput {
  keyId?: string;
  startDate?: Date;
  endDate?: Date;
  limit?: number;
  offset?: number;
}

/** Whether the store keeps an audit log (a Kysely or Drizzle store needs its `auditLogTable`). */
export function keepsLogs(storage: Storage): boolean {
  return typeof storage.saveLog === 'function' && typeof storage.findLogs === 'function' && typeof storage.countLogs === 'function' && typeof storage.deleteLogs === 'function';
}

/** A request entry as a row of the library's audit log: the request's facts in `data`, never the key. */
export function toLogRow(entry: AuditLogEntry): AuditLog {
  const data: Record<string, unknown> = { ipAddress: entry.ipAddress, method: entry.method, path: entry.path, success: entry.success };
  if (entry.keyName !== undefined) data.keyName = entry.keyName;
  if (entry.statusCode !== undefined) data.statusCode = entry.statusCode;
  if (entry.errorMessage !== undefined) data.errorMessage = entry.errorMessage;
  if (entry.requestId !== undefined) data.requestId = entry.requestId;
  return { id: randomUUID(), action: REQUEST_ACTION, keyId: entry.keyId, ownerId: NEST_OWNER, timestamp: entry.timestamp.toISOString(), data };
}

export function fromLogRow(row: AuditLog): AuditLogEntry {
  const data = (row.data ?? {}) as Record<string, unknown>;
  const entry: AuditLogEntry = {
    keyId: row.keyId,
    ipAddress: String(data.ipAddress ?? ''),
    method: String(data.method ?? ''),
    path: String(data.path ?? ''),
    success: data.success === true,
    timestamp: new Date(row.timestamp),
  };
  if (typeof data.keyName === 'string') entry.keyName = data.keyName;
  if (typeof data.statusCode === 'number') entry.statusCode = data.statusCode;
  if (typeof data.errorMessage === 'string') entry.errorMessage = data.errorMessage;
  if (typeof data.requestId === 'string') entry.requestId = data.requestId;
  return entry;
}

/** The library's query for request entries matching nest-api-key-auth's filters. */
export function toLogQuery(query: AuditLogQueryInput): AuditLogQuery {
  const out: AuditLogQuery = { ownerId: NEST_OWNER, action: REQUEST_ACTION };
  if (query.keyId !== undefined) out.keyId = query.keyId;
  if (query.startDate !== undefined) out.startDate = query.startDate.toISOString();
  if (query.endDate !== undefined) out.endDate = query.endDate.toISOString();
  if (query.limit !== undefined) out.limit = query.limit;
  if (query.offset !== undefined) out.offset = query.offset;
  return out;
}
