import { describe, expect, it } from 'vitest';
import { ApiKeyErrorMessages, createKeys, MemoryStore } from '../src/index.js';

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return (error as { code?: unknown } | undefined)?.code;
}

describe('restore', () => {
  it('lets a revoked key verify again, with the same plaintext, and logs it', async () => {
    const keys = createKeys({ storage: new MemoryStore(), cache: true, auditLogs: true });
    const { key, record } = await keys.create({ ownerId: 'u1' });
    await keys.revoke(record.id, undefined, { reason: 'by mistake' });
    expect((await keys.verify(key)).errorCode).toBe('REVOKED');
    await keys.restore(record.id);
    expect((await keys.verify(key)).valid).toBe(true);
    const restored = await keys.findById(record.id);
    expect(restored?.metadata.revokedAt).toBeNull();
    expect(restored?.metadata.revocationReason).toBeNull();
    expect((await keys.getLogs({ keyId: record.id })).map((l) => l.action).sort()).toEqual(['created', 'restored', 'revoked']);
  });

  it('refuses a key that is not revoked, and one retired by a rotation', async () => {
    const keys = createKeys({ storage: new MemoryStore() });
    const { record } = await keys.create({ ownerId: 'u1' });
    expect(await codeOf(keys.restore(record.id))).toBe('NOT_REVOKED');
    expect(ApiKeyErrorMessages.NOT_REVOKED).toBe('API key is not revoked');
    const rotated = await keys.rotate(record.id);
    expect(await codeOf(keys.restore(record.id))).toBe('CANNOT_MODIFY_REVOKED');
    expect(await codeOf(keys.restore('nope'))).toBe('KEY_NOT_FOUND');
    expect((await keys.findById(rotated.record.id))?.metadata.revokedAt ?? null).toBeNull();
  });
});

describe('update', () => {
  it('changes the IP rules that verify applies, at once through the cache', async () => {
    const keys = createKeys({ storage: new MemoryStore(), cache: true });
    const { key, record } = await keys.create({ ownerId: 'u1' });
    expect((await keys.verify(key, { ip: '10.0.0.5' })).valid).toBe(true);
    await keys.update(record.id, { ipDenylist: ['10.0.0.0/24'] });
    expect((await keys.verify(key, { ip: '10.0.0.5' })).errorCode).toBe('IP_NOT_ALLOWED');
    await keys.update(record.id, { ipDenylist: [], ipAllowlist: ['192.168.1.1'] });
    expect((await keys.verify(key, { ip: '10.0.0.5' })).errorCode).toBe('IP_NOT_ALLOWED');
    expect((await keys.verify(key, { ip: '192.168.1.1' })).valid).toBe(true);
  });

  it('starts the limit counters afresh with resetLimits', async () => {
    const keys = createKeys({ storage: new MemoryStore() });
    const { key, record } = await keys.create({ ownerId: 'u1', quota: { limit: 1, period: 'day' } });
    expect((await keys.verify(key)).valid).toBe(true);
    expect((await keys.verify(key)).errorCode).toBe('QUOTA_EXCEEDED');
    await keys.update(record.id, { resetLimits: true });
    expect((await keys.verify(key)).valid).toBe(true);
  });

  it('refuses malformed rules and revoked keys', async () => {
    const keys = createKeys({ storage: new MemoryStore() });
    const { record } = await keys.create({ ownerId: 'u1' });
    await expect(keys.update(record.id, { ipAllowlist: ['not-an-ip'] })).rejects.toThrow(/ipAllowlist/);
    await keys.revoke(record.id);
    expect(await codeOf(keys.update(record.id, { ipAllowlist: [] }))).toBe('CANNOT_MODIFY_REVOKED');
  });
});

describe('getLimits', () => {
  it('says where the quota and rate limit stand without spending', async () => {
    const keys = createKeys({ storage: new MemoryStore() });
    const { key, record } = await keys.create({ ownerId: 'u1', quota: { limit: 3, period: 'month' }, rateLimit: { algorithm: 'sliding_window', limit: 5, windowSeconds: 60 } });
    expect((await keys.getLimits(record.id)).quota?.remaining).toBe(3);
    await keys.verify(key);
    const limits = await keys.getLimits(record.id);
    expect(limits.quota).toMatchObject({ limit: 3, remaining: 2 });
    expect(limits.rateLimit).toMatchObject({ limit: 5, remaining: 4 });
    expect((await keys.getLimits(record.id)).quota?.remaining).toBe(2);
    const { record: plain } = await keys.create({ ownerId: 'u1' });
    expect(await keys.getLimits(plain.id)).toEqual({});
  });
});

describe('a yearly quota', () => {
  it('counts per UTC calendar year', async () => {
    let now = Date.UTC(2025, 11, 31, 23, 0);
    const keys = createKeys({ storage: new MemoryStore(), clock: { now: () => now } });
    const { key, record } = await keys.create({ ownerId: 'u1', quota: { limit: 1, period: 'year' } });
    expect((await keys.verify(key)).valid).toBe(true);
    expect((await keys.verify(key)).errorCode).toBe('QUOTA_EXCEEDED');
    expect((await keys.getLimits(record.id)).quota?.resetAt).toBe('2026-01-01T00:00:00.000Z');
    now = Date.UTC(2026, 0, 1, 0, 0, 1);
    expect((await keys.verify(key)).valid).toBe(true);
  });
});
