import type { ApiKeyBackend } from './backend.js';
import { LocalBackend } from './local/local-backend.js';
import { keepsLogs } from './local/request-log.js';
import { createStorage } from './local/storage.js';
import { ApiKeyModuleOptionsError, type ResolvedOptions } from './options.js';
import type { ProviderLookup } from './local/typeorm-storage.js';

/** The backend of the options: remote (an Elyzor service) or local (a store of `@elyzor/keys`). */
export async function createBackend(options: ResolvedOptions, lookup?: ProviderLookup): Promise<ApiKeyBackend> {
  if (options.adapter === 'elyzor') {
    const { RemoteBackend } = await import('./remote/remote-backend.js');
    return new RemoteBackend(options);
  }
  const storage = await createStorage(options, lookup);
  // The request log lives in the store's audit-log table: a store without one fails the start.
  const needsLog = options.enableAnalytics ? 'enableAnalytics' : options.enableAuditLogging && options.auditLogOptions?.logToDatabase === true ? 'auditLogOptions.logToDatabase' : null;
  if (needsLog !== null && !keepsLogs(storage)) {
    throw new ApiKeyModuleOptionsError(needsLog, `needs a store with an audit-log table (kysely: { auditLogTable }, drizzle: { auditLogTable }, memory, or a custom adapter with the log methods); adapter '${options.adapter}' has none`);
  }
  return new LocalBackend(options, storage);
}
