import type { ApiKeyMetadata, ApiKeyRecord, AuditLog, AuditLogQuery, AuditLogStats, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { DEFAULT_LOG_LIMIT, logStats, lowerTags, toIso } from './log-query.js';
import { recordOf } from './sql-rows.js';

interface Row {
  id: string;
  keyHash: string;
  metadata: unknown;
}

/** A field of the document (`path`), or the whole document (`equals` without `path`, compared as jsonb). */
type JsonFilter = { path: string[]; equals: string } | { path: string[]; array_contains: string[] } | { equals: object };
type Where = { id: string } | { keyHash: string } | { id: { in: string[] } } | { metadata: JsonFilter } | { OR: Where[] } | { AND: Where[] };

/**
 * The part of a Prisma model delegate (`prisma.apiKey`) this store uses: the calls and argument
 * shapes of Prisma's query API for a model with `id String @id`, `keyHash String @unique` and
 * `metadata Json`, on PostgreSQL (JSON filters by `path`).
 */
export interface PrismaApiKeyDelegate {
  create(args: { data: { id: string; keyHash: string; metadata: object } }): Promise<unknown>;
  findUnique(args: { where: { id: string } | { keyHash: string } }): Promise<Row | null>;
  findMany(args: { where: Where }): Promise<Row[]>;
  updateMany(args: { where: Where; data: { metadata: object } }): Promise<{ count: number }>;
  deleteMany(args: { where: Where }): Promise<{ count: number }>;
}

/** The filter of an audit-log query, as Prisma writes it. */
export interface PrismaLogWhere {
  keyId?: string;
  ownerId?: string;
  action?: string;
  timestamp?: { gte?: string; lte?: string };
}

interface LogRow {
  id: string;
  action: string;
  keyId: string;
  ownerId: string;
  timestamp: string;
  data: unknown;
}

/**
 * The part of an audit-log model delegate (`prisma.apiKeyAuditLog`) the store uses, for
 * `model ApiKeyAuditLog { id String @id  action String  keyId String  ownerId String  timestamp String  data Json? }`.
 */
export interface PrismaAuditLogDelegate {
  create(args: { data: { id: string; action: string; keyId: string; ownerId: string; timestamp: string; data?: object } }): Promise<unknown>;
  findMany(args: { where: PrismaLogWhere; orderBy?: { timestamp: 'desc' }; take?: number; skip?: number }): Promise<LogRow[]>;
  count(args: { where: PrismaLogWhere }): Promise<number>;
  deleteMany(args: { where: PrismaLogWhere }): Promise<{ count: number }>;
}

export interface PrismaStoreOptions {
  /** A PrismaClient (or a transaction client). */
  prisma: object;
  /** The model's delegate name on the client, camelCase: `apiKey` for `model ApiKey`. */
  model: string;
  /** Elyzor: the audit-log model's delegate name (`apiKeyAuditLog`); without it the store keeps no audit log. */
  logModel?: string;
}

const DELEGATE_METHODS = ['create', 'findUnique', 'findMany', 'updateMany', 'deleteMany'] as const;

/** Enough for every usage-tracking write and admin action on one key at once; each round lets one through. */
const MAX_UPDATE_ATTEMPTS = 200;
const LOG_METHODS = ['create', 'findMany', 'count', 'deleteMany'] as const;
const LOG_STORAGE_METHODS = ['saveLog', 'findLogs', 'countLogs', 'deleteLogs', 'getLogStats'] as const;

function delegateOf<M extends readonly string[]>(prisma: object, name: string, methods: M): unknown {
  const delegate: unknown = (prisma as Record<string, unknown>)[name];
  if (typeof delegate !== 'object' || delegate === null || !methods.every((m) => typeof (delegate as Record<string, unknown>)[m] === 'function')) {
    throw new Error(`PrismaStore: model "${name}" not found on the Prisma client (use the camelCase name, e.g. apiKey)`);
  }
  return delegate;
}

function logWhere(query: AuditLogQuery): PrismaLogWhere {
  const where: PrismaLogWhere = {};
  if (query.keyId !== undefined) where.keyId = query.keyId;
  if (query.ownerId !== undefined) where.ownerId = query.ownerId;
  if (query.action !== undefined) where.action = query.action;
  if (query.startDate !== undefined || query.endDate !== undefined) {
    where.timestamp = {};
    if (query.startDate !== undefined) where.timestamp.gte = toIso(query.startDate);
    if (query.endDate !== undefined) where.timestamp.lte = toIso(query.endDate);
  }
  return where;
}

function logOf(row: LogRow): AuditLog {
  const log: AuditLog = { id: row.id, action: row.action as AuditLog['action'], keyId: row.keyId, ownerId: row.ownerId, timestamp: row.timestamp };
  if (row.data !== null && row.data !== undefined) log.data = row.data as Record<string, unknown>;
  return log;
}

/**
 * Keys through Prisma, in keypal's schema:
 *
 *   model ApiKey { id String @id  keyHash String @unique  metadata Json  @@index([keyHash])  @@map("api_keys") }
 *
 * and, with `logModel`, an audit log in
 *
 *   model ApiKeyAuditLog { id String @id  action String  keyId String  ownerId String  timestamp String  data Json?  @@index([keyId])  @@map("api_key_audit_logs") }
 *
 * Prisma has no JSON merge, so `updateMetadata` merges in JS and writes the document only if it
 * is still the one read (`updateMany` filtered on the whole document), reading again on a
 * conflict: concurrent updates of one key (usage tracking and a revocation) all land.
 */
export class PrismaStore implements Storage {
  private readonly model: PrismaApiKeyDelegate;
  private readonly logs: PrismaAuditLogDelegate | undefined;
  private readonly changes = new ChangeFeed();

  constructor(options: PrismaStoreOptions) {
    this.model = delegateOf(options.prisma, options.model, DELEGATE_METHODS) as PrismaApiKeyDelegate;
    this.logs = options.logModel === undefined ? undefined : (delegateOf(options.prisma, options.logModel, LOG_METHODS) as PrismaAuditLogDelegate);
    if (this.logs === undefined) {
      // keypal's rule: a store without a log table does not offer the log queries at all.
      for (const name of LOG_STORAGE_METHODS) Object.defineProperty(this, name, { value: undefined });
    }
  }

  private get logModel(): PrismaAuditLogDelegate {
    if (this.logs === undefined) throw new Error('PrismaStore: no logModel configured');
    return this.logs;
  }

  async saveLog(log: AuditLog): Promise<void> {
    const data = { id: log.id, action: log.action, keyId: log.keyId, ownerId: log.ownerId, timestamp: log.timestamp };
    await this.logModel.create({ data: log.data === undefined ? data : { ...data, data: log.data } });
  }

  async findLogs(query: AuditLogQuery): Promise<AuditLog[]> {
    const rows = await this.logModel.findMany({ where: logWhere(query), orderBy: { timestamp: 'desc' }, take: query.limit ?? DEFAULT_LOG_LIMIT, skip: query.offset ?? 0 });
    return rows.map(logOf);
  }

  countLogs(query: AuditLogQuery): Promise<number> {
    return this.logModel.count({ where: logWhere(query) });
  }

  async deleteLogs(query: AuditLogQuery): Promise<number> {
    return (await this.logModel.deleteMany({ where: logWhere(query) })).count;
  }

  async getLogStats(ownerId: string): Promise<AuditLogStats> {
    return logStats((await this.logModel.findMany({ where: { ownerId } })).map(logOf));
  }

  onChange(listener: (keyHash: string) => void): () => void {
    return this.changes.subscribe(listener);
  }

  private owner(ownerId: string): Where {
    return { metadata: { path: ['ownerId'], equals: ownerId } };
  }

  async save(record: ApiKeyRecord): Promise<void> {
    await this.model.create({ data: { id: record.id, keyHash: record.keyHash, metadata: record.metadata } });
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.model.findUnique({ where: { keyHash } });
    return row === null ? null : recordOf(row);
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.model.findUnique({ where: { id } });
    return row === null ? null : recordOf(row);
  }

  async findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return (await this.model.findMany({ where: this.owner(ownerId) })).map(recordOf);
  }

  async findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    if (tags.length === 0) return [];
    const anyTag: Where = { OR: lowerTags(tags).map((tag) => ({ metadata: { path: ['tags'], array_contains: [tag] } })) };
    const where: Where = ownerId === undefined ? anyTag : { AND: [anyTag, this.owner(ownerId)] };
    return (await this.model.findMany({ where })).map(recordOf);
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.findByTags([tag], ownerId);
  }

  async updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const row = await this.model.findUnique({ where: { id } });
      if (row === null) throw new Error(`API key with id ${id} not found`);
      const existing = recordOf(row);
      const merged = JSON.parse(JSON.stringify({ ...existing.metadata, ...metadata })) as object;
      // Compare-and-set: a write made since the read (a lastUsedAt, a revocation) fails the filter.
      const { count } = await this.model.updateMany({ where: { AND: [{ id }, { metadata: { equals: existing.metadata } }] }, data: { metadata: merged } });
      if (count > 0) {
        if (affectsVerification(metadata)) this.changes.emit(existing.keyHash);
        return;
      }
    }
    throw new Error(`PrismaStore updateMetadata: the record ${id} kept changing under ${MAX_UPDATE_ATTEMPTS} attempts`);
  }

  async delete(id: string): Promise<void> {
    const existing = await this.findById(id);
    if (existing === null) return;
    await this.model.deleteMany({ where: { id } });
    this.changes.emit(existing.keyHash);
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    const records = await this.findByOwner(ownerId);
    if (records.length === 0) return;
    await this.model.deleteMany({ where: { id: { in: records.map((r) => r.id) } } });
    for (const record of records) this.changes.emit(record.keyHash);
  }
}

export function createPrismaStore(options: PrismaStoreOptions): PrismaStore {
  return new PrismaStore(options);
}
