import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ApiKeyMetadata, ApiKeyRecord, AuditLog, AuditLogQuery, AuditLogStats, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { DEFAULT_LOG_LIMIT, logStats, lowerTags, toIso } from './log-query.js';
import { createTableSql, logOf, recordOf } from './sql-rows.js';

export interface KyselyStoreOptions<DB> {
  db: Kysely<DB>;
  /** The keys table; default `api_keys` (keypal's seed schema). `table` is accepted as a synonym. */
  tableName?: string;
  table?: string;
  /** Column names, when they differ from `id`, `key_hash`, `metadata`. */
  columns?: { id?: string; keyHash?: string; metadata?: string };
  /** Optional audit-log table (see `createTableSql`); without it the log queries are unsupported. */
  auditLogTable?: string;
}

/**
 * Keys in PostgreSQL through Kysely, in keypal's table layout: `id`, `key_hash`, `metadata`
 * (jsonb). Owner and tag queries use jsonb containment (`@>`), which a GIN index serves.
 */
export class KyselyStore<DB = unknown> implements Storage {
  private readonly db: Kysely<DB>;
  private readonly table: string;
  private readonly col: { id: string; keyHash: string; metadata: string };
  private readonly logs: string | undefined;
  private readonly changes = new ChangeFeed();

  constructor(options: KyselyStoreOptions<DB>) {
    this.db = options.db;
    this.table = options.tableName ?? options.table ?? 'api_keys';
    this.col = { id: 'id', keyHash: 'key_hash', metadata: 'metadata', ...options.columns };
    this.logs = options.auditLogTable;
    if (this.logs === undefined) {
      // keypal's rule: a store without a log table does not offer the log queries at all.
      for (const name of ['saveLog', 'findLogs', 'countLogs', 'deleteLogs', 'getLogStats'] as const) {
        Object.defineProperty(this, name, { value: undefined });
      }
    }
  }

  /** The CREATE TABLE statements for this store's tables. */
  static schemaSql(table = 'api_keys', auditLogTable?: string): string {
    return createTableSql(table, auditLogTable);
  }

  onChange(listener: (keyHash: string) => void): () => void {
    return this.changes.subscribe(listener);
  }

  private async rows(query: RawBuilder<unknown>): Promise<ApiKeyRecord[]> {
    const result = await query.execute(this.db);
    return (result.rows as Array<{ id: unknown; keyHash: unknown; metadata: unknown }>).map(recordOf);
  }

  private select(where: RawBuilder<unknown>): RawBuilder<unknown> {
    const { id, keyHash, metadata } = this.col;
    return sql`select ${sql.ref(id)} as "id", ${sql.ref(keyHash)} as "keyHash", ${sql.ref(metadata)} as "metadata" from ${sql.table(this.table)} where ${where}`;
  }

  private contains(value: object): RawBuilder<unknown> {
    return sql`${sql.ref(this.col.metadata)} @> ${JSON.stringify(value)}::jsonb`;
  }

  async save(record: ApiKeyRecord): Promise<void> {
    const { id, keyHash, metadata } = this.col;
    await sql`insert into ${sql.table(this.table)} (${sql.ref(id)}, ${sql.ref(keyHash)}, ${sql.ref(metadata)}) values (${record.id}, ${record.keyHash}, ${JSON.stringify(record.metadata)}::jsonb)`.execute(
      this.db,
    );
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return (await this.rows(this.select(sql`${sql.ref(this.col.keyHash)} = ${keyHash} limit 1`)))[0] ?? null;
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    return (await this.rows(this.select(sql`${sql.ref(this.col.id)} = ${id} limit 1`)))[0] ?? null;
  }

  findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.rows(this.select(this.contains({ ownerId })));
  }

  findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    if (tags.length === 0) return Promise.resolve([]);
    const anyTag = sql.join(lowerTags(tags).map((tag) => this.contains({ tags: [tag] })), sql` or `);
    const owner = ownerId === undefined ? sql`true` : this.contains({ ownerId });
    return this.rows(this.select(sql`(${anyTag}) and ${owner}`));
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.findByTags([tag], ownerId);
  }

  async updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    // One statement: jsonb `||` merges the change into the stored document, so concurrent
    // updates of different fields never overwrite each other. Undefined fields are dropped by JSON.
    const { metadata: m, keyHash } = this.col;
    const result = await sql<{ keyHash: string }>`update ${sql.table(this.table)} set ${sql.ref(m)} = ${sql.ref(m)} || ${JSON.stringify(metadata)}::jsonb where ${sql.ref(this.col.id)} = ${id} returning ${sql.ref(keyHash)} as "keyHash"`.execute(
      this.db,
    );
    const row = result.rows[0];
    if (row === undefined) throw new Error(`API key with id ${id} not found`);
    if (affectsVerification(metadata)) this.changes.emit(row.keyHash);
  }

  async delete(id: string): Promise<void> {
    await this.deleteWhere(sql`${sql.ref(this.col.id)} = ${id}`);
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    await this.deleteWhere(this.contains({ ownerId }));
  }

  private async deleteWhere(where: RawBuilder<unknown>): Promise<void> {
    const result = await sql<{ keyHash: string }>`delete from ${sql.table(this.table)} where ${where} returning ${sql.ref(this.col.keyHash)} as "keyHash"`.execute(this.db);
    for (const row of result.rows) this.changes.emit(row.keyHash);
  }

  async saveLog(log: AuditLog): Promise<void> {
    await sql`insert into ${sql.table(this.logTable())} (id, action, key_id, owner_id, timestamp, data) values (${log.id}, ${log.action}, ${log.keyId}, ${log.ownerId}, ${log.timestamp}, ${log.data === undefined ? null : JSON.stringify(log.data)}::jsonb)`.execute(
      this.db,
    );
  }

  async findLogs(query: AuditLogQuery): Promise<AuditLog[]> {
    const result = await sql<Record<string, unknown>>`select id, action, key_id as "keyId", owner_id as "ownerId", timestamp, data from ${sql.table(this.logTable())} where ${this.logWhere(query)} order by timestamp desc limit ${query.limit ?? DEFAULT_LOG_LIMIT} offset ${query.offset ?? 0}`.execute(
      this.db,
    );
    return result.rows.map(logOf);
  }

  async countLogs(query: AuditLogQuery): Promise<number> {
    const result = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(this.logTable())} where ${this.logWhere(query)}`.execute(this.db);
    return Number(result.rows[0]?.n ?? 0);
  }

  async deleteLogs(query: AuditLogQuery): Promise<number> {
    const result = await sql`delete from ${sql.table(this.logTable())} where ${this.logWhere(query)}`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  async getLogStats(ownerId: string): Promise<AuditLogStats> {
    return logStats(await this.findLogs({ ownerId, limit: Number.MAX_SAFE_INTEGER }));
  }

  private logTable(): string {
    if (this.logs === undefined) throw new Error('KyselyStore: no auditLogTable configured');
    return this.logs;
  }

  private logWhere(query: AuditLogQuery): RawBuilder<unknown> {
    const parts: Array<RawBuilder<unknown>> = [sql`true`];
    if (query.keyId !== undefined) parts.push(sql`key_id = ${query.keyId}`);
    if (query.ownerId !== undefined) parts.push(sql`owner_id = ${query.ownerId}`);
    if (query.action !== undefined) parts.push(sql`action = ${query.action}`);
    if (query.startDate !== undefined) parts.push(sql`timestamp >= ${toIso(query.startDate)}`);
    if (query.endDate !== undefined) parts.push(sql`timestamp <= ${toIso(query.endDate)}`);
    return sql.join(parts, sql` and `);
  }
}

export function createKyselyStore<DB>(options: KyselyStoreOptions<DB>): KyselyStore<DB> {
  return new KyselyStore(options);
}
