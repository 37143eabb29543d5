import type { ChainableCommander, Redis } from 'ioredis';
import type { ApiKeyMetadata, ApiKeyRecord, AuditLog, AuditLogQuery, AuditLogStats, Storage } from '../types.js';
import { affectsVerification, ChangeFeed } from './changes.js';
import { DEFAULT_LOG_LIMIT, logStats, lowerTags, matchesLogQuery } from './log-query.js';

export interface RedisStoreOptions {
  client: Redis;
  /** Prepended to every key; default `apikey:`, keypal's. */
  prefix?: string;
}

/**
 * Keys in Redis, in keypal's layout so that a keypal deployment's data is read as it is:
 *
 *   <prefix><id>             the record, JSON
 *   <prefix>hash:<keyHash>   the id
 *   <prefix>owner:<ownerId>  set of ids
 *   <prefix>tag:<tag>        set of ids (tags in lower case)
 *   <prefix>log:<id>         an audit log entry, JSON; indexed by the sorted sets
 *   <prefix>logs:{all | key:<keyId> | owner:<ownerId> | action:<action>}  (score: its time in ms)
 *
 * One difference: the digest entry of a revoked key is kept (keypal deletes it), so that verify
 * answers REVOKED rather than INVALID_KEY and a rotation's grace period can work; `setTtl`
 * expires both entries together after `revokedKeyTtl`.
 */
export class RedisStore implements Storage {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly changes = new ChangeFeed();

  constructor(options: RedisStoreOptions) {
    this.redis = options.client;
    this.prefix = options.prefix ?? 'apikey:';
  }

  onChange(listener: (keyHash: string) => void): () => void {
    return this.changes.subscribe(listener);
  }

  private key = (id: string): string => `${this.prefix}${id}`;
  private hashKey = (hash: string): string => `${this.prefix}hash:${hash}`;
  private ownerKey = (ownerId: string): string => `${this.prefix}owner:${ownerId}`;
  private tagKey = (tag: string): string => `${this.prefix}tag:${tag}`;
  private logKey = (id: string): string => `${this.prefix}log:${id}`;
  private logIndex = (which: string): string => `${this.prefix}logs:${which}`;

  async save(record: ApiKeyRecord): Promise<void> {
    // NX on both: a second record with the same id or digest is refused, never overwritten.
    if ((await this.redis.set(this.key(record.id), JSON.stringify(record), 'NX')) === null) {
      throw new Error(`API key with id ${record.id} already exists`);
    }
    if ((await this.redis.set(this.hashKey(record.keyHash), record.id, 'NX')) === null) {
      await this.redis.del(this.key(record.id));
      throw new Error('API key hash collision detected');
    }
    const pipeline = this.redis.pipeline();
    pipeline.sadd(this.ownerKey(record.metadata.ownerId), record.id);
    for (const tag of lowerTags(record.metadata.tags ?? [])) pipeline.sadd(this.tagKey(tag), record.id);
    await exec(pipeline, 'save');
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const id = await this.redis.get(this.hashKey(keyHash));
    if (id === null) return null;
    const record = await this.findById(id);
    // A digest entry left behind by a deleted or replaced record is not that key.
    return record !== null && record.keyHash === keyHash ? record : null;
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const data = await this.redis.get(this.key(id));
    return data === null ? null : parseRecord(data);
  }

  async findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.load(await this.redis.smembers(this.ownerKey(ownerId)));
  }

  async findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    if (tags.length === 0) return [];
    const ids = await this.redis.sunion(...lowerTags(tags).map(this.tagKey));
    const records = await this.load(ids);
    return records.filter((r) => ownerId === undefined || r.metadata.ownerId === ownerId);
  }

  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.findByTags([tag], ownerId);
  }

  /**
   * Merges `metadata` into the record without losing a concurrent update (usage tracking writes
   * `lastUsedAt` while an admin revokes, say): the merge is computed here, then written by a
   * script only if the record is still the one read (compare-and-set); a conflict reads again.
   * The merge is not done in Lua because its JSON codec does not round-trip every document
   * (an empty array comes back as an object).
   */
  async updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const data = await this.redis.get(this.key(id));
      const record = data === null ? null : parseRecord(data);
      if (data === null || record === null) throw new Error(`API key with id ${id} not found`);
      const oldTags = new Set(lowerTags(record.metadata.tags ?? []));
      const updated: ApiKeyRecord = { ...record, metadata: { ...record.metadata, ...metadata } };
      const newTags = new Set(lowerTags(updated.metadata.tags ?? []));
      const removed: string[] = [];
      const added: string[] = [];
      if (updated.metadata.ownerId !== record.metadata.ownerId) {
        removed.push(this.ownerKey(record.metadata.ownerId));
        added.push(this.ownerKey(updated.metadata.ownerId));
      }
      for (const tag of oldTags) if (!newTags.has(tag)) removed.push(this.tagKey(tag));
      for (const tag of newTags) if (!oldTags.has(tag)) added.push(this.tagKey(tag));
      const written = await this.compareAndSet(this.key(id), data, JSON.stringify(updated), id, removed, added);
      if (written) {
        if (affectsVerification(metadata)) this.changes.emit(record.keyHash);
        return;
      }
    }
    throw new Error(`Redis updateMetadata: the record ${id} kept changing under ${MAX_UPDATE_ATTEMPTS} attempts`);
  }

  private async compareAndSet(key: string, expected: string, value: string, id: string, removed: string[], added: string[]): Promise<boolean> {
    const keys = [key, ...removed, ...added];
    const result = await this.redis.eval(COMPARE_AND_SET, keys.length, ...keys, expected, value, id, String(removed.length));
    return result === 1;
  }

  async delete(id: string): Promise<void> {
    const record = await this.findById(id);
    if (record === null) return;
    const pipeline = this.redis.pipeline();
    this.unlink(pipeline, record);
    await exec(pipeline, 'delete');
    this.changes.emit(record.keyHash);
  }

  async deleteByOwner(ownerId: string): Promise<void> {
    const records = await this.findByOwner(ownerId);
    const pipeline = this.redis.pipeline();
    for (const record of records) this.unlink(pipeline, record);
    pipeline.del(this.ownerKey(ownerId));
    await exec(pipeline, 'deleteByOwner');
    for (const record of records) this.changes.emit(record.keyHash);
  }

  /** Lets a revoked key expire (record and digest entry) after `ttlSeconds`. */
  async setTtl(id: string, ttlSeconds: number): Promise<void> {
    const record = await this.findById(id);
    if (record === null) return;
    const pipeline = this.redis.pipeline();
    pipeline.expire(this.key(id), ttlSeconds);
    pipeline.expire(this.hashKey(record.keyHash), ttlSeconds);
    await exec(pipeline, 'setTtl');
  }

  async saveLog(log: AuditLog): Promise<void> {
    const score = new Date(log.timestamp).getTime();
    const pipeline = this.redis.pipeline();
    pipeline.set(this.logKey(log.id), JSON.stringify(log));
    for (const index of ['all', `key:${log.keyId}`, `owner:${log.ownerId}`, `action:${log.action}`]) {
      pipeline.zadd(this.logIndex(index), score, log.id);
    }
    await exec(pipeline, 'saveLog');
  }

  async findLogs(query: AuditLogQuery): Promise<AuditLog[]> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_LOG_LIMIT;
    return (await this.matching(query)).slice(offset, offset + limit);
  }

  async countLogs(query: AuditLogQuery): Promise<number> {
    return (await this.matching(query)).length;
  }

  async deleteLogs(query: AuditLogQuery): Promise<number> {
    const logs = await this.matching(query);
    if (logs.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const log of logs) {
      pipeline.del(this.logKey(log.id));
      for (const index of ['all', `key:${log.keyId}`, `owner:${log.ownerId}`, `action:${log.action}`]) {
        pipeline.zrem(this.logIndex(index), log.id);
      }
    }
    await exec(pipeline, 'deleteLogs');
    return logs.length;
  }

  async getLogStats(ownerId: string): Promise<AuditLogStats> {
    return logStats(await this.matching({ ownerId }));
  }

  /** Every log matching `query`, newest first: the narrowest index, then the other filters. */
  private async matching(query: AuditLogQuery): Promise<AuditLog[]> {
    const index =
      query.keyId !== undefined
        ? `key:${query.keyId}`
        : query.ownerId !== undefined
          ? `owner:${query.ownerId}`
          : query.action !== undefined
            ? `action:${query.action}`
            : 'all';
    const min = query.startDate === undefined ? '-inf' : new Date(query.startDate).getTime();
    const max = query.endDate === undefined ? '+inf' : new Date(query.endDate).getTime();
    const ids = await this.redis.zrevrangebyscore(this.logIndex(index), max, min);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map(this.logKey));
    const logs: AuditLog[] = [];
    for (const value of values) {
      const log = value === null ? null : parseLog(value);
      if (log !== null && matchesLogQuery(log, query)) logs.push(log);
    }
    return logs;
  }

  private async load(ids: string[]): Promise<ApiKeyRecord[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map(this.key));
    const records: ApiKeyRecord[] = [];
    for (const value of values) {
      const record = value === null ? null : parseRecord(value);
      if (record !== null) records.push(record);
    }
    return records;
  }

  private unlink(pipeline: ChainableCommander, record: ApiKeyRecord): void {
    pipeline.del(this.key(record.id));
    pipeline.del(this.hashKey(record.keyHash));
    pipeline.srem(this.ownerKey(record.metadata.ownerId), record.id);
    for (const tag of lowerTags(record.metadata.tags ?? [])) pipeline.srem(this.tagKey(tag), record.id);
  }
}

/** Enough for every usage-tracking write and admin action on one key at once; each round lets one through. */
const MAX_UPDATE_ATTEMPTS = 200;

/**
 * KEYS[1] the record; KEYS[2 .. 1 + ARGV[4]] the index sets to leave, the rest the ones to join.
 * ARGV: the record as read, the record to write, its id, how many sets to leave. Writes (keeping
 * a revoked record's TTL) and moves the indexes only if the record is still as read; 1 if so.
 */
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
local leave = tonumber(ARGV[4])
for i = 2, #KEYS do
  if i - 1 <= leave then redis.call('SREM', KEYS[i], ARGV[3]) else redis.call('SADD', KEYS[i], ARGV[3]) end
end
return 1
`;

async function exec(pipeline: ChainableCommander, operation: string): Promise<void> {
  const results = await pipeline.exec();
  if (results === null) throw new Error(`Redis ${operation}: the transaction was discarded`);
  for (const [error] of results) if (error !== null) throw new Error(`Redis ${operation} failed: ${error.message}`);
}

function parseRecord(data: string): ApiKeyRecord | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== 'object' || value === null) return null;
    const r = value as Record<string, unknown>;
    return typeof r.id === 'string' && typeof r.keyHash === 'string' && typeof r.metadata === 'object' && r.metadata !== null
      ? (value as ApiKeyRecord)
      : null;
  } catch {
    return null;
  }
}

function parseLog(data: string): AuditLog | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== 'object' || value === null) return null;
    const l = value as Record<string, unknown>;
    return typeof l.id === 'string' && typeof l.keyId === 'string' && typeof l.action === 'string' && typeof l.timestamp === 'string'
      ? (value as AuditLog)
      : null;
  } catch {
    return null;
  }
}
