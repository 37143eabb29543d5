import { and, desc, eq, gte, lte, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import type { ApiKeyMetadata, ApiKeyRecord, AuditLog, AuditLogQuery, AuditLogStats, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { DEFAULT_LOG_LIMIT, logStats, lowerTags, toIso } from './log-query.js';
import { logOf, recordOf } from './sql-rows.js';

/** A table with keypal's three columns (the `apikey` of `@elyzor/keys/drizzle/schema`, or your own). */
export type ApiKeyTable = PgTable & { id: PgColumn; keyHash: PgColumn; metadata: PgColumn };
export type AuditLogTable = PgTable & { id: PgColumn; action: PgColumn; keyId: PgColumn; ownerId: PgColumn; timestamp: PgColumn; data: PgColumn };

export interface DrizzleStoreOptions {
  /** Any PostgreSQL Drizzle database: node-postgres, postgres-js, PGlite, Neon… */
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>;
  table: ApiKeyTable;
  auditLogTable?: AuditLogTable;
}

type Row = Record<string, unknown>;

/**
 * Keys in PostgreSQL through Drizzle, in keypal's layout. Owner and tag queries use jsonb
 * containment (`@>`); metadata updates merge in one statement (`||`).
 */
export class DrizzleStore implements Storage {
  private readonly db: DrizzleStoreOptions['db'];
  private readonly table: ApiKeyTable;
  private readonly logs: AuditLogTable | undefined;
  private readonly changes = new ChangeFeed();

  constructor(options: DrizzleStoreOptions) {
    this.db = options.db;
    this.table = options.table;
    this.logs = options.auditLogTable;
    if (this.logs === undefined) {
      for (const name of ['saveLog', 'findLogs', 'countLogs', 'deleteLogs', 'getLogStats'] as const) {
        Object.defineProperty(this, name, { value: undefined });
      }
    }
  }

  onChange(listener: (keyHash: string) => void): () => void {
    return this.changes.subscribe(listener);
  }

  private contains(value: object): SQL {
    return sql`${this.table.metadata} @> ${JSON.stringify(value)}::jsonb`;
  }

  private async where(condition: SQL | undefined, limit?: number): Promise<ApiKeyRecord[]> {
    const t = this.table;
    const query = this.db.select({ id: t.id, keyHash: t.keyHash, metadata: t.metadata }).from(t).where(condition);
    const rows = (limit === undefined ? await query : await query.limit(limit)) as Array<{ id: unknown; keyHash: unknown; metadata: unknown }>;
    return rows.map(recordOf);
  }

  async save(record: ApiKeyRecord): Promise<void> {
    await this.db.insert(this.table).values({ id: record.id, keyHash: record.keyHash, metadata: record.metadata } as Row);
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return (await this.where(eq(this.table.keyHash, keyHash), 1))[0] ?? null;
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    return (await this.where(eq(this.table.id, id), 1))[0] ?? null;
  }

  findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.where(this.contains({ ownerId }));
  }

  findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    if (tags.length === 0) return Promise.resolve([]);
    const anyTag = or(...lowerTags(tags).map((tag) => this.contains({ tags: [tag] })));
    return this.where(ownerId === undefined ? anyTag : and(anyTag, this.contains({ ownerId })));
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.findByTags([tag], ownerId);
  }

  async updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    const t = this.table;
    const rows = (await this.db
      .update(t)
      .set({ metadata: sql`${t.metadata} || ${JSON.stringify(metadata)}::jsonb` } as Row)
      .where(eq(t.id, id))
      .returning({ keyHash: t.keyHash })) as Array<{ keyHash: string }>;
    const row = rows[0];
    if (row === undefined) throw new Error(`API key with id ${id} not found`);
    if (affectsVerification(metadata)) this.changes.emit(row.keyHash);
  }

  async delete(id: string): Promise<void> {
    await this.deleteWhere(eq(this.table.id, id));
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.deleteWhere(this.contains({ ownerId }));
  }

  private async deleteWhere(condition: SQL): Promise<void> {
    const rows = (await this.db.delete(this.table).where(condition).returning({ keyHash: this.table.keyHash })) as Array<{ keyHash: string }>;
    for (const row of rows) this.changes.emit(row.keyHash);
  }

  async saveLog(log: AuditLog): Promise<void> {
    await this.db.insert(this.logTable()).values({ ...log, data: log.data ?? null } as Row);
  }

  async findLogs(query: AuditLogQuery): Promise<AuditLog[]> {
    const t = this.logTable();
    const rows = (await this.db
      .select()
      .from(t)
      .where(this.logWhere(query))
      .orderBy(desc(t.timestamp))
      .limit(query.limit ?? DEFAULT_LOG_LIMIT)
      .offset(query.offset ?? 0)) as Row[];
    return rows.map(logOf);
  }

  async countLogs(query: AuditLogQuery): Promise<number> {
    const rows = (await this.db.select({ n: sql<number>`count(*)` }).from(this.logTable()).where(this.logWhere(query))) as Array<{ n: unknown }>;
    return Number(rows[0]?.n ?? 0);
  }

  async deleteLogs(query: AuditLogQuery): Promise<number> {
    const t = this.logTable();
    const rows = (await this.db.delete(t).where(this.logWhere(query)).returning({ id: t.id })) as Row[];
    return rows.length;
  }

  async getLogStats(ownerId: string): Promise<AuditLogStats> {
    return logStats(await this.findLogs({ ownerId, limit: Number.MAX_SAFE_INTEGER }));
  }

  private logTable(): AuditLogTable {
    if (this.logs === undefined) throw new Error('DrizzleStore: no auditLogTable configured');
    return this.logs;
  }

  private logWhere(query: AuditLogQuery): SQL | undefined {
    const t = this.logTable();
    return and(
      query.keyId === undefined ? undefined : eq(t.keyId, query.keyId),
      query.ownerId === undefined ? undefined : eq(t.ownerId, query.ownerId),
      query.action === undefined ? undefined : eq(t.action, query.action),
      query.startDate === undefined ? undefined : gte(t.timestamp, toIso(query.startDate)),
      query.endDate === undefined ? undefined : lte(t.timestamp, toIso(query.endDate)),
    );
  }
}

export function createDrizzleStore(options: DrizzleStoreOptions): DrizzleStore {
  return new DrizzleStore(options);
}
