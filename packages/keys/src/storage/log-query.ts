import type { AuditLog, AuditLogQuery, AuditLogStats } from '../types.js';

/** keypal's default page size for log queries. */
export const DEFAULT_LOG_LIMIT = 100;

export function matchesLogQuery(log: AuditLog, query: AuditLogQuery): boolean {
  if (query.keyId !== undefined && log.keyId !== query.keyId) return false;
  if (query.ownerId !== undefined && log.ownerId !== query.ownerId) return false;
  if (query.action !== undefined && log.action !== query.action) return false;
  if (query.startDate !== undefined && log.timestamp < toIso(query.startDate)) return false;
  if (query.endDate !== undefined && log.timestamp > toIso(query.endDate)) return false;
  return true;
}

/** A date bound as an ISO string, so that `'2025-01-01'` compares with stored timestamps. */
export function toIso(date: string): string {
  const at = new Date(date);
  return Number.isNaN(at.getTime()) ? date : at.toISOString();
}

/** Newest first, then the page. */
export function pageOfLogs(logs: AuditLog[], query: AuditLogQuery): AuditLog[] {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? DEFAULT_LOG_LIMIT;
  return [...logs].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).slice(offset, offset + limit);
}

export function logStats(logs: readonly AuditLog[]): AuditLogStats {
  const byAction: AuditLogStats['byAction'] = {};
  let lastActivity: string | null = null;
  for (const log of logs) {
    byAction[log.action] = (byAction[log.action] ?? 0) + 1;
    if (lastActivity === null || log.timestamp > lastActivity) lastActivity = log.timestamp;
  }
  return { total: logs.length, byAction, lastActivity };
}

/** Tags are stored and matched in lower case, as keypal does. */
export const lowerTags = (tags: readonly string[]): string[] => tags.map((t) => t.toLowerCase());
