import { randomUUID } from 'node:crypto';
import type { EntityManager, ObjectLiteral, Repository } from 'typeorm';
import type { ApiKeyMetadata, ApiKeyRecord, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { lowerTags } from './log-query.js';
import type { ApiKeyRow } from './typeorm-entity.js';
import { columnsOf, recordOfRow, rowOf, splitMetadata } from './typeorm-rows.js';

export { ApiKeyEntity, createApiKeyEntity, type ApiKeyEntityOptions, type ApiKeyRow } from './typeorm-entity.js';

export interface TypeOrmStoreOptions {
  /** A TypeORM `Repository` of `ApiKeyEntity`, or of your own entity with the same properties. */
  repository: Repository<ObjectLiteral>;
  /**
   * The keypal owner of rows that carry none: those nest-api-key-auth wrote. Default `''`;
   * `@elyzor/nest` sets its own, so that they are the module's keys.
   */
  defaultOwnerId?: string;
}

/** The properties the store reads and writes: nest-api-key-auth's schema. */
const REQUIRED = [
  'id', 'name', 'keyPrefix', 'hashedKey', 'scopes', 'expiresAt', 'revokedAt', 'lastUsedAt', 'ipWhitelist', 'ipBlacklist',
  'rateLimitMax', 'rateLimitWindowMs', 'revocationReason', 'quotaMax', 'quotaPeriod', 'quotaUsed', 'quotaResetAt',
  'metadata', 'tags', 'owner', 'environment', 'description', 'createdAt', 'updatedAt',
] as const;

/** Drivers without row locks (TypeORM refuses `pessimistic_write` there); one writer at a time anyway. */
const NO_ROW_LOCKS = new Set(['sqlite', 'better-sqlite3', 'sqljs', 'capacitor', 'cordova', 'expo', 'react-native', 'nativescript']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keys in nest-api-key-auth's table, through a TypeORM repository: keypal's `Storage` on the
 * columns `id`, `name`, `keyPrefix`, `hashedKey`, `scopes`, … (see `typeorm-rows.ts` for the
 * mapping). Digests are found by column (`hashedKey`, indexed unique), bcrypt and argon2 keys
 * by `keyPrefix`; owner and tag queries read the table and filter, since their values live in
 * portable `simple-array` / `simple-json` columns that not every database can search.
 */
export class TypeOrmStore implements Storage {
  private readonly repo: Repository<ObjectLiteral>;
  private readonly defaultOwnerId: string;
  private readonly changes = new ChangeFeed();

  constructor(options: TypeOrmStoreOptions) {
    const repo = options.repository as Partial<Repository<ObjectLiteral>> | undefined;
    if (typeof repo?.find !== 'function' || typeof repo.metadata !== 'object') {
      throw new TypeError('TypeOrmStore: repository must be a TypeORM Repository (dataSource.getRepository(ApiKeyEntity))');
    }
    const missing = REQUIRED.filter((property) => repo.metadata?.findColumnWithPropertyName(property) === undefined);
    if (missing.length > 0) {
      throw new TypeError(`TypeOrmStore: the entity ${repo.metadata.name} has no ${missing.join(', ')}: use ApiKeyEntity from @elyzor/keys/typeorm, or add them`);
    }
    this.repo = options.repository;
    this.defaultOwnerId = options.defaultOwnerId ?? '';
  }

  onChange(listener: (keyHash: string) => void): () => void {
    return this.changes.subscribe(listener);
  }

  /** uuids, which fit both this store's `ApiKeyEntity` and a nest-api-key-auth table with uuid ids. */
  newId(): string {
    return randomUUID();
  }

  private record(row: ObjectLiteral): ApiKeyRecord {
    return recordOfRow(row as ApiKeyRow, this.defaultOwnerId);
  }

  /**
   * The row of `id`. nest-api-key-auth's tables have uuid ids, which the database refuses to
   * compare with any other string: such an id names no row rather than failing the query.
   */
  private async row(id: string, repo: Repository<ObjectLiteral> = this.repo, lock: object = {}): Promise<ObjectLiteral | null> {
    if (typeof id !== 'string') return null;
    try {
      return await repo.findOne({ where: { id }, ...lock });
    } catch (error) {
      if (!UUID.test(id)) return null;
      throw error;
    }
  }

  async save(record: ApiKeyRecord): Promise<void> {
    // insert, not save: save would overwrite a row with the same id.
    await this.repo.insert(rowOf(record, new Date()));
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.repo.findOne({ where: { hashedKey: keyHash } });
    return row === null ? null : this.record(row);
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.row(id);
    return row === null ? null : this.record(row);
  }

  async findByKeyPrefix(prefix: string): Promise<ApiKeyRecord[]> {
    return (await this.repo.find({ where: { keyPrefix: prefix } })).map((row) => this.record(row));
  }

  private async all(): Promise<ApiKeyRecord[]> {
    return (await this.repo.find()).map((row) => this.record(row));
  }

  async findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return (await this.all()).filter((r) => r.metadata.ownerId === ownerId);
  }

  async findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    if (tags.length === 0) return [];
    const wanted = new Set(lowerTags(tags));
    return (await this.all()).filter(
      (r) => (ownerId === undefined || r.metadata.ownerId === ownerId) && lowerTags(r.metadata.tags ?? []).some((tag) => wanted.has(tag)),
    );
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.findByTags([tag], ownerId);
  }

  async updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    const missing = new Error(`API key with id ${id} not found`);
    const onlyColumns = Object.keys(metadata).every((field) => field === 'lastUsedAt');
    if (onlyColumns && UUID.test(id)) {
      // Usage tracking, on the hot path: one statement on one column, which no other update touches.
      const { columns } = columnsOf(metadata, {}, null, new Date());
      const result = await this.repo.update({ id }, columns);
      if (result.affected === 0) throw missing;
      return;
    }
    const keyHash = await this.repo.manager.transaction(async (manager: EntityManager) => {
      const repo = manager.getRepository(this.repo.target);
      const lock = NO_ROW_LOCKS.has(manager.connection.options.type) ? {} : { lock: { mode: 'pessimistic_write' as const } };
      const row = await this.row(id, repo, lock);
      if (row === null) throw missing;
      // The `$elyzor` document is read and written under the row's lock; every other field is its own column.
      const { app, extras } = splitMetadata(row.metadata);
      const { columns } = columnsOf(metadata, extras, app, new Date());
      await repo.update({ id }, columns);
      return String(row.hashedKey);
    });
    if (affectsVerification(metadata)) this.changes.emit(keyHash);
  }

  async delete(id: string): Promise<void> {
    const row = await this.row(id);
    if (row === null) return;
    await this.repo.delete({ id });
    this.changes.emit(String(row.hashedKey));
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    for (const record of await this.findByOwner(ownerId)) {
      await this.repo.delete({ id: record.id });
      this.changes.emit(record.keyHash);
    }
  }
}

export function createTypeOrmStore(options: TypeOrmStoreOptions): TypeOrmStore {
  return new TypeOrmStore(options);
}
