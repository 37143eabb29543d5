import type { ApiKeyMetadata, ApiKeyRecord, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { lowerTags } from './log-query.js';
import { recordOf } from './sql-rows.js';

interface Row {
  id: string;
  keyHash: string;
  metadata: unknown;
}

type JsonFilter = { path: string[]; equals: string } | { path: string[]; array_contains: string[] };
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
  update(args: { where: { id: string }; data: { metadata: object } }): Promise<unknown>;
  deleteMany(args: { where: Where }): Promise<{ count: number }>;
}

export interface PrismaStoreOptions {
  /** A PrismaClient (or a transaction client). */
  prisma: object;
  /** The model's delegate name on the client, camelCase: `apiKey` for `model ApiKey`. */
  model: string;
}

const DELEGATE_METHODS = ['create', 'findUnique', 'findMany', 'update', 'deleteMany'] as const;

/**
 * Keys through Prisma, in keypal's schema:
 *
 *   model ApiKey { id String @id  keyHash String @unique  metadata Json  @@index([keyHash])  @@map("api_keys") }
 *
 * Prisma has no JSON merge, so `updateMetadata` reads and writes the document; two concurrent
 * updates of one key may lose one of them (the library's own writes are one per verb).
 */
export class PrismaStore implements Storage {
  private readonly model: PrismaApiKeyDelegate;
  private readonly changes = new ChangeFeed();

  constructor(options: PrismaStoreOptions) {
    const delegate: unknown = (options.prisma as Record<string, unknown>)[options.model];
    if (typeof delegate !== 'object' || delegate === null || !DELEGATE_METHODS.every((m) => typeof (delegate as Record<string, unknown>)[m] === 'function')) {
      throw new Error(`PrismaStore: model "${options.model}" not found on the Prisma client (use the camelCase name, e.g. apiKey)`);
    }
    this.model = delegate as PrismaApiKeyDelegate;
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
    const existing = await this.findById(id);
    if (existing === null) throw new Error(`API key with id ${id} not found`);
    await this.model.update({ where: { id }, data: { metadata: JSON.parse(JSON.stringify({ ...existing.metadata, ...metadata })) as object } });
    if (affectsVerification(metadata)) this.changes.emit(existing.keyHash);
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
