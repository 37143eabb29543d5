import { Inject, Injectable } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import type { ApiKeyBackend } from './backend.js';
import { unavailable } from './exceptions.js';
import { localOnly } from './local-only.js';
import { fromLogRow, toLogQuery } from './local/request-log.js';
import type { AuditLogEntry } from './service-options.js';
import { API_KEY_BACKEND } from './tokens.js';
import { checkId } from './validate-input.js';

export interface KeyUsageMetrics {
  keyId: string;
  keyName: string;
  requestCount: number;
  successCount: number;
  failureCount: number;
  lastUsedAt: Date | null;
}

export interface UsageAnalytics {
  totalRequests: number;
  totalKeys: number;
  activeKeys: number;
  /** The ten keys with the most requests. */
  topKeys: KeyUsageMetrics[];
  /** Requests per hour (`2026-01-01T13`), oldest first, over the entries read. */
  requestsByHour: Array<{ hour: string; count: number }>;
  /** Refused requests, in percent of all. */
  errorRate: number;
}

/** The most request entries one answer reads (the newest). */
const WINDOW = 10_000;

function metricsOf(key: Pick<ApiKey, 'id' | 'name' | 'lastUsedAt'>, entries: AuditLogEntry[]): KeyUsageMetrics {
  const successCount = entries.filter((e) => e.success).length;
  return { keyId: key.id, keyName: key.name, requestCount: entries.length, successCount, failureCount: entries.length - successCount, lastUsedAt: key.lastUsedAt };
}

/**
 * nest-api-key-auth's usage analytics (`enableAnalytics`): counts of the requests the guard
 * decided, per key and overall, read from the request entries the guard writes to the adapter's
 * audit-log table (so they survive restarts and are shared by every instance). Local mode only:
 * the module refuses `enableAnalytics` with adapter 'elyzor', whose own stats answer this.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
  ) {}

  private async entries(keyId?: string): Promise<AuditLogEntry[]> {
    const storage = localOnly(this.backend, 'AnalyticsService').storage;
    try {
      const rows = await storage.findLogs?.(toLogQuery(keyId === undefined ? { limit: WINDOW } : { keyId, limit: WINDOW }));
      return (rows ?? []).map(fromLogRow);
    } catch {
      throw unavailable();
    }
  }

  /** The key's request counts; 404 for an unknown id. */
  async getKeyMetrics(keyId: string): Promise<KeyUsageMetrics> {
    checkId(keyId);
    const key = await this.keys.findById(keyId);
    return metricsOf(key, await this.entries(keyId));
  }

  async getAnalytics(): Promise<UsageAnalytics> {
    const [all, entries] = await Promise.all([this.keys.findAll(), this.entries()]);
    const byKey = new Map<string, AuditLogEntry[]>();
    const byHour = new Map<string, number>();
    for (const entry of entries) {
      byKey.set(entry.keyId, [...(byKey.get(entry.keyId) ?? []), entry]);
      const hour = entry.timestamp.toISOString().slice(0, 13);
      byHour.set(hour, (byHour.get(hour) ?? 0) + 1);
    }
    const topKeys = all
      .filter((key) => byKey.has(key.id))
      .map((key) => metricsOf(key, byKey.get(key.id) ?? []))
      .sort((a, b) => b.requestCount - a.requestCount)
      .slice(0, 10);
    const failures = entries.filter((e) => !e.success).length;
    return {
      totalRequests: entries.length,
      totalKeys: all.length,
      activeKeys: all.filter((key) => key.state === 'active').length,
      topKeys,
      requestsByHour: [...byHour].map(([hour, count]) => ({ hour, count })).sort((a, b) => a.hour.localeCompare(b.hour)),
      errorRate: entries.length === 0 ? 0 : (failures / entries.length) * 100,
    };
  }
}
