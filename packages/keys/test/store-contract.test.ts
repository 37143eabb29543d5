import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeys } from '../src/index.js';
import type { ApiKeyRecord, AuditLog, Storage } from '../src/types.js';
import { backends, type Opened } from './helpers/backends.js';

/**
 * One contract for every storage adapter: what keypal's `Storage` promises, and what the
 * manager relies on (change notifications, so that a cached key never outlives its deletion).
 */
const record = (id: string, ownerId: string, extra: Partial<ApiKeyRecord['metadata']> = {}): ApiKeyRecord => ({
  id,
  keyHash: `hash_${id}`.padEnd(64, '0'),
  metadata: { ownerId, name: `key ${id}`, scopes: ['read'], expiresAt: null, enabled: true, revokedAt: null, rotatedTo: null, ...extra },
});

const ids = (records: ApiKeyRecord[]): string[] => records.map((r) => r.id).sort();

for (const backend of backends) {
  describe(`Storage contract: ${backend.name}`, () => {
    let opened: Opened;
    let storage: Storage;

    beforeAll(async () => {
      opened = await backend.open();
    });
    afterAll(async () => {
      await opened.close();
    });
    beforeEach(async () => {
      storage = await opened.fresh();
    });

    it('saves a record and finds it by id and by digest, as saved', async () => {
      const r = record('k1', 'alice', { tags: ['prod'], resources: { 'project:1': ['read'] } });
      await storage.save(r);
      expect(await storage.findById('k1')).toEqual(r);
      expect(await storage.findByHash(r.keyHash)).toEqual(r);
      expect(await storage.findById('nope')).toBeNull();
      expect(await storage.findByHash('f'.repeat(64))).toBeNull();
    });

    it('refuses a second record with the same id or the same digest', async () => {
      await storage.save(record('k1', 'alice'));
      await expect(storage.save(record('k1', 'bob'))).rejects.toBeDefined();
      await expect(storage.save({ ...record('k2', 'bob'), keyHash: record('k1', 'alice').keyHash })).rejects.toBeDefined();
      expect((await storage.findById('k1'))?.metadata.ownerId).toBe('alice');
      expect(await storage.findById('k2')).toBeNull();
    });

    it("lists an owner's keys and no one else's", async () => {
      await storage.save(record('a1', 'alice'));
      await storage.save(record('a2', 'alice'));
      await storage.save(record('b1', 'bob'));
      expect(ids(await storage.findByOwner('alice'))).toEqual(['a1', 'a2']);
      expect(ids(await storage.findByOwner('carol'))).toEqual([]);
    });

    it('finds by tag and by any of several tags, case-insensitively, optionally for one owner', async () => {
      await storage.save(record('a1', 'alice', { tags: ['prod', 'api'] }));
      await storage.save(record('a2', 'alice', { tags: ['dev'] }));
      await storage.save(record('b1', 'bob', { tags: ['prod'] }));
      expect(ids(await storage.findByTag('PROD'))).toEqual(['a1', 'b1']);
      expect(ids(await storage.findByTag('prod', 'alice'))).toEqual(['a1']);
      expect(ids(await storage.findByTags(['api', 'dev']))).toEqual(['a1', 'a2']);
      expect(ids(await storage.findByTags(['prod', 'dev'], 'bob'))).toEqual(['b1']);
      expect(await storage.findByTags([])).toEqual([]);
    });

    it('merges a metadata update into the record, and moves its tags', async () => {
      await storage.save(record('k1', 'alice', { tags: ['old'] }));
      await storage.updateMetadata('k1', { name: 'renamed', tags: ['new'], enabled: false });
      const found = await storage.findById('k1');
      expect(found?.metadata).toMatchObject({ ownerId: 'alice', name: 'renamed', scopes: ['read'], tags: ['new'], enabled: false });
      expect(ids(await storage.findByTag('new'))).toEqual(['k1']);
      expect(await storage.findByTag('old')).toEqual([]);
      await expect(storage.updateMetadata('missing', { name: 'x' })).rejects.toBeDefined();
    });

    it('lands every one of concurrent updates of different fields of one record', async () => {
      // Usage tracking writes lastUsedAt while an admin revokes: a read-merge-write store loses one.
      await storage.save(record('k1', 'alice'));
      const used = Array.from({ length: 50 }, (_, i) => new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString());
      const revokedAt = '2025-06-01T00:00:00.000Z';
      const writes: Array<Promise<void>> = used.map((lastUsedAt) => storage.updateMetadata('k1', { lastUsedAt }));
      writes.splice(10, 0, storage.updateMetadata('k1', { revokedAt }));
      writes.splice(25, 0, storage.updateMetadata('k1', { revocationReason: 'leaked' }));
      writes.splice(40, 0, storage.updateMetadata('k1', { name: 'renamed' }));
      await Promise.all(writes);
      const found = await storage.findById('k1');
      expect(found?.metadata).toMatchObject({ ownerId: 'alice', revokedAt, revocationReason: 'leaked', name: 'renamed', scopes: ['read'] });
      expect(used).toContain(found?.metadata.lastUsedAt);
    });

    it('deletes one key, or every key of an owner, from every index', async () => {
      const a1 = record('a1', 'alice', { tags: ['t'] });
      await storage.save(a1);
      await storage.save(record('a2', 'alice', { tags: ['t'] }));
      await storage.save(record('b1', 'bob', { tags: ['t'] }));
      await storage.delete('a1');
      await storage.delete('a1'); // a second delete is a no-op
      expect(await storage.findById('a1')).toBeNull();
      expect(await storage.findByHash(a1.keyHash)).toBeNull();
      expect(ids(await storage.findByTag('t'))).toEqual(['a2', 'b1']);
      await storage.deleteByOwner('alice');
      expect(await storage.findByOwner('alice')).toEqual([]);
      expect(ids(await storage.findByTag('t'))).toEqual(['b1']);
    });

    it('reports the digest of every key it changes or deletes, but not a lastUsedAt update', async () => {
      const seen: string[] = [];
      const stop = storage.onChange?.((hash) => seen.push(hash));
      expect(stop).toBeTypeOf('function');
      const k1 = record('k1', 'alice');
      const k2 = record('k2', 'bob');
      await storage.save(k1);
      await storage.save(k2);
      await storage.updateMetadata('k1', { lastUsedAt: new Date().toISOString() });
      expect(seen).toEqual([]);
      await storage.updateMetadata('k1', { revokedAt: new Date().toISOString() });
      await storage.delete('k1');
      await storage.deleteByOwner('bob');
      expect(seen).toEqual([k1.keyHash, k1.keyHash, k2.keyHash]);
      stop?.();
    });

    it('never lets a revoked or deleted key verify through a manager, with a cache or without', async () => {
      for (const cache of [false, true]) {
        const keys = createKeys({ storage, cache, autoTrackUsage: false });
        const a = await keys.create({ ownerId: `o-${cache}` });
        const b = await keys.create({ ownerId: `o-${cache}` });
        expect((await keys.verify(a.key)).valid).toBe(true);
        expect((await keys.verify(b.key)).valid).toBe(true);
        await keys.revoke(a.record.id);
        expect((await keys.verify(a.key)).errorCode).toBe('REVOKED');
        // Deleted through the storage itself, behind the manager's back.
        await storage.delete(b.record.id);
        expect((await keys.verify(b.key)).errorCode).toBe('INVALID_KEY');
      }
    });

    if (backend.logs) {
      const log = (id: string, action: AuditLog['action'], keyId: string, ownerId: string, timestamp: string): AuditLog => ({
        id,
        action,
        keyId,
        ownerId,
        timestamp,
        data: { userId: 'admin' },
      });

      it('stores audit logs and answers queries on them, newest first', async () => {
        const s = storage as Required<Storage>;
        await s.saveLog(log('l1', 'created', 'k1', 'alice', '2025-01-01T00:00:00.000Z'));
        await s.saveLog(log('l2', 'revoked', 'k1', 'alice', '2025-02-01T00:00:00.000Z'));
        await s.saveLog(log('l3', 'created', 'k2', 'bob', '2025-03-01T00:00:00.000Z'));
        expect((await s.findLogs({})).map((l) => l.id)).toEqual(['l3', 'l2', 'l1']);
        expect((await s.findLogs({ keyId: 'k1' })).map((l) => l.id)).toEqual(['l2', 'l1']);
        expect((await s.findLogs({ action: 'created' })).map((l) => l.id)).toEqual(['l3', 'l1']);
        expect((await s.findLogs({ startDate: '2025-01-15', endDate: '2025-02-15' })).map((l) => l.id)).toEqual(['l2']);
        expect((await s.findLogs({ limit: 1, offset: 1 })).map((l) => l.id)).toEqual(['l2']);
        expect((await s.findLogs({ keyId: 'k1' }))[1]).toEqual(log('l1', 'created', 'k1', 'alice', '2025-01-01T00:00:00.000Z'));
        expect(await s.countLogs({ ownerId: 'alice' })).toBe(2);
        expect(await s.countLogs({ ownerId: 'alice', action: 'revoked' })).toBe(1);
        expect(await s.getLogStats('alice')).toEqual({ total: 2, byAction: { created: 1, revoked: 1 }, lastActivity: '2025-02-01T00:00:00.000Z' });
        expect(await s.deleteLogs({ endDate: '2025-01-31' })).toBe(1);
        expect(await s.deleteLogs({ keyId: 'k2' })).toBe(1);
        expect((await s.findLogs({})).map((l) => l.id)).toEqual(['l2']);
      });
    }
  });
}
