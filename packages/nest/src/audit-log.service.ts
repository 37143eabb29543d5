import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ApiKeyBackend } from './backend.js';
import { invalidInput, unavailable } from './exceptions.js';
import { localOnly } from './local-only.js';
import { fromLogRow, toLogQuery, toLogRow, type AuditLogQueryInput } from './local/request-log.js';
import type { ResolvedOptions } from './options.js';
import type { AuditLogEntry } from './service-options.js';
import { API_KEY_BACKEND, API_KEY_MODULE_OPTIONS } from './tokens.js';

export type AuditLogQuery = AuditLogQueryInput;

export interface AuditLogStats {
  total: number;
  successful: number;
  failed: number;
  /** Distinct keys among the entries (`'unknown'` counts as one). */
  uniqueKeys: number;
  /** The newest entry's time, or null. */
  lastActivity: Date | null;
}

/** The most entries `getStats` reads; a larger log is summed over its newest entries. */
const STATS_WINDOW = 10_000;

function checkQuery(query: unknown): asserts query is AuditLogQuery {
  if (query === undefined) return;
  if (typeof query !== 'object' || query === null) throw invalidInput('query must be an object');
  const q = query as Record<string, unknown>;
  if (q.keyId !== undefined && typeof q.keyId !== 'string') throw invalidInput('keyId must be a string');
  for (const field of ['startDate', 'endDate']) {
    if (q[field] !== undefined && !(q[field] instanceof Date && !Number.isNaN(q[field].getTime()))) throw invalidInput(`${field} must be a Date`);
  }
  if (q.limit !== undefined && !(Number.isInteger(q.limit) && (q.limit as number) >= 1 && (q.limit as number) <= 1000)) throw invalidInput('limit must be an integer from 1 to 1000');
  if (q.offset !== undefined && !(Number.isInteger(q.offset) && (q.offset as number) >= 0)) throw invalidInput('offset must be a non-negative integer');
}

/**
 * nest-api-key-auth's request audit log (`enableAuditLogging`, `auditLogOptions`): the guard
 * records every request it decides, passed or refused, to the Nest logger (`logToConsole`), to
 * `onLog`, and with `logToDatabase` to the adapter's audit-log table, where `query`, `count`,
 * `getStats` and `cleanup` read it. Entries never hold the key, its hash, or the request's
 * headers. Key changes (created, revoked…) go to the same table under their own actions.
 */
@Injectable()
export class AuditLogService {
  private readonly logger = new Logger('ApiKeyAudit');

  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(API_KEY_MODULE_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** Whether `log` records anything: `enableAuditLogging`, or `enableAnalytics` (which reads the same rows). */
  get enabled(): boolean {
    return this.options.enableAuditLogging || this.options.enableAnalytics;
  }

  private get toDatabase(): boolean {
    return this.options.enableAnalytics || (this.options.enableAuditLogging && this.options.auditLogOptions?.logToDatabase === true);
  }

  /** Records one request; a failing sink never fails the request. */
  async log(entry: AuditLogEntry): Promise<void> {
    if (!this.enabled) return;
    const audit = this.options.auditLogOptions ?? {};
    if (this.options.enableAuditLogging && audit.logToConsole !== false) {
      const line = `${entry.success ? 'PASSED' : 'REFUSED'} key=${entry.keyId} ip=${entry.ipAddress} ${entry.method} ${entry.path}${entry.errorMessage === undefined ? '' : ` (${entry.errorMessage})`}`;
      if (entry.success) this.logger.log(line);
      else this.logger.warn(line);
    }
    try {
      if (this.options.enableAuditLogging && audit.onLog !== undefined) await audit.onLog(entry);
      if (this.toDatabase) {
        const local = localOnly(this.backend, 'auditLogOptions.logToDatabase');
        await local.storage.saveLog?.(toLogRow(entry));
      }
    } catch (error) {
      this.logger.error(`audit entry not written: ${error instanceof Error ? error.name : 'error'}`);
    }
  }

  private store(): NonNullable<ReturnType<typeof localOnly>['storage']> {
    return localOnly(this.backend, 'AuditLogService').storage;
  }

  /** The request entries matching `query`, newest first (at most `limit`, default 100). */
  async query(query: AuditLogQuery = {}): Promise<AuditLogEntry[]> {
    checkQuery(query);
    const rows = await this.read(() => this.store().findLogs?.(toLogQuery({ limit: 100, ...query })));
    return (rows ?? []).map(fromLogRow);
  }

  async count(query: AuditLogQuery = {}): Promise<number> {
    checkQuery(query);
    return (await this.read(() => this.store().countLogs?.(toLogQuery(query)))) ?? 0;
  }

  /** Totals over the entries matching `query` (the newest 10,000 of them). */
  async getStats(query: AuditLogQuery = {}): Promise<AuditLogStats> {
    checkQuery(query);
    const { limit: _limit, offset: _offset, ...filters } = query;
    const entries = ((await this.read(() => this.store().findLogs?.(toLogQuery({ ...filters, limit: STATS_WINDOW })))) ?? []).map(fromLogRow);
    const successful = entries.filter((e) => e.success).length;
    return {
      total: entries.length,
      successful,
      failed: entries.length - successful,
      uniqueKeys: new Set(entries.map((e) => e.keyId)).size,
      lastActivity: entries[0]?.timestamp ?? null,
    };
  }

  /** Deletes the request entries older than `retentionDays` (default 90): how many. */
  async cleanup(): Promise<number> {
    const days = this.options.auditLogOptions?.retentionDays ?? 90;
    const cutoff = new Date(Date.now() - days * 86_400_000);
    return (await this.read(() => this.store().deleteLogs?.(toLogQuery({ endDate: cutoff })))) ?? 0;
  }

  private async read<T>(run: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Error && 'getStatus' in error) throw error;
      throw unavailable();
    }
  }
}
