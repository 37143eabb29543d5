import type { ApiKeyMetadata, ApiKeyRecord, AuditLog, AuditLogQuery, AuditLogStats, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { logStats, lowerTags, matchesLogQuery, pageOfLogs } from './log-query.js';

/**
 * Keys in process memory, with indexes by digest, owner and tag. The default storage; every
 * query answers from a Map. Records are returned as stored (callers must not mutate them).
 */
export class MemoryStore implements Storage {
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly byHash = new Map<string, string>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly logs = new Map<string, AuditLog>();
  private readonly changes = new ChangeFeed();
  /** Every change passes through this instance: a manager's cache hit needs no storage read. */
  readonly inProcess = true;

  onChange(listener: (keyHash: string) => void): () => void {
    return this.changes.subscribe(listener);
  }

  save(record: ApiKeyRecord): Promise<void> {
    if (this.keys.has(record.id)) return Promise.reject(new Error(`API key with id ${record.id} already exists`));
    if (this.byHash.has(record.keyHash)) return Promise.reject(new Error('API key hash collision detected'));
    this.keys.set(record.id, record);
    this.byHash.set(record.keyHash, record.id);
    this.index(record);
    return Promise.resolve();
  }

  findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const id = this.byHash.get(keyHash);
    return Promise.resolve(id === undefined ? null : (this.keys.get(id) ?? null));
  }

  findById(id: string): Promise<ApiKeyRecord | null> {
    return Promise.resolve(this.keys.get(id) ?? null);
  }

  findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return Promise.resolve(this.records(this.byOwner.get(ownerId)));
  }

  findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    const ids = new Set<string>();
    for (const tag of lowerTags(tags)) for (const id of this.byTag.get(tag) ?? []) ids.add(id);
    return Promise.resolve(this.records(ids).filter((r) => ownerId === undefined || r.metadata.ownerId === ownerId));
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.findByTags([tag], ownerId);
  }

  /** Keys hashed with bcrypt or argon2, found by their first characters (a scan: memory is for tests and development). */
  findByKeyPrefix(prefix: string): Promise<ApiKeyRecord[]> {
    return Promise.resolve([...this.keys.values()].filter((r) => r.metadata.keyPrefix === prefix));
  }

  updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    const record = this.keys.get(id);
    if (record === undefined) return Promise.reject(new Error(`API key with id ${id} not found`));
    this.unindex(record);
    // A new object: a caller holding the old record (a cache, a verify answer) keeps what it read.
    const updated: ApiKeyRecord = { ...record, metadata: { ...record.metadata, ...metadata } };
    this.keys.set(id, updated);
    this.index(updated);
    if (affectsVerification(metadata)) this.changes.emit(record.keyHash);
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    const record = this.keys.get(id);
    if (record !== undefined) this.remove(record);
    return Promise.resolve();
  }

  deleteByOwner(ownerId: string): Promise<void> {
    for (const record of this.records(this.byOwner.get(ownerId))) this.remove(record);
    return Promise.resolve();
  }

  saveLog(log: AuditLog): Promise<void> {
    this.logs.set(log.id, log);
    return Promise.resolve();
  }

  findLogs(query: AuditLogQuery): Promise<AuditLog[]> {
    return Promise.resolve(pageOfLogs(this.matching(query), query));
  }

  countLogs(query: AuditLogQuery): Promise<number> {
    return Promise.resolve(this.matching(query).length);
  }

  deleteLogs(query: AuditLogQuery): Promise<number> {
    const doomed = this.matching(query);
    for (const log of doomed) this.logs.delete(log.id);
    return Promise.resolve(doomed.length);
  }

  getLogStats(ownerId: string): Promise<AuditLogStats> {
    return Promise.resolve(logStats(this.matching({ ownerId })));
  }

  /** Number of stored keys. */
  get size(): number {
    return this.keys.size;
  }

  private matching(query: AuditLogQuery): AuditLog[] {
    return [...this.logs.values()].filter((log) => matchesLogQuery(log, query));
  }

  private records(ids: Iterable<string> | undefined): ApiKeyRecord[] {
    const out: ApiKeyRecord[] = [];
    for (const id of ids ?? []) {
      const record = this.keys.get(id);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  private remove(record: ApiKeyRecord): void {
    this.unindex(record);
    this.keys.delete(record.id);
    this.byHash.delete(record.keyHash);
    this.changes.emit(record.keyHash);
  }

  private index(record: ApiKeyRecord): void {
    add(this.byOwner, record.metadata.ownerId, record.id);
    for (const tag of lowerTags(record.metadata.tags ?? [])) add(this.byTag, tag, record.id);
  }

  private unindex(record: ApiKeyRecord): void {
    drop(this.byOwner, record.metadata.ownerId, record.id);
    for (const tag of lowerTags(record.metadata.tags ?? [])) drop(this.byTag, tag, record.id);
  }
}

function add(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, new Set([id]));
  else ids.add(id);
}

function drop(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
