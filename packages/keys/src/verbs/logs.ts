import { ApiKeyErrorCode, createApiKeyError, storageCall } from '../errors.js';
import type { AuditLog, AuditLogQuery, AuditLogStats, Storage } from '../types.js';
import type { Ctx } from './context.js';

type LogMethod = 'findLogs' | 'countLogs' | 'deleteLogs' | 'getLogStats';

/** The storage's log method, or AUDIT_LOGGING_DISABLED / STORAGE_NOT_SUPPORTED, as keypal answers. */
function method<M extends LogMethod>(ctx: Ctx, name: M): NonNullable<Storage[M]> {
  if (!ctx.auditLogs) throw createApiKeyError(ApiKeyErrorCode.AUDIT_LOGGING_DISABLED);
  const found = ctx.storage[name];
  if (typeof found !== 'function') throw createApiKeyError(ApiKeyErrorCode.STORAGE_NOT_SUPPORTED);
  return found.bind(ctx.storage) as NonNullable<Storage[M]>;
}

export const getLogs = (ctx: Ctx, query: AuditLogQuery = {}): Promise<AuditLog[]> => {
  const run = method(ctx, 'findLogs');
  return storageCall(() => run(query));
};

export const countLogs = (ctx: Ctx, query: AuditLogQuery = {}): Promise<number> => {
  const run = method(ctx, 'countLogs');
  return storageCall(() => run(query));
};

export const deleteLogs = (ctx: Ctx, query: AuditLogQuery): Promise<number> => {
  const run = method(ctx, 'deleteLogs');
  return storageCall(() => run(query));
};

export const getLogStats = (ctx: Ctx, ownerId: string): Promise<AuditLogStats> => {
  const run = method(ctx, 'getLogStats');
  return storageCall(() => run(ownerId));
};
