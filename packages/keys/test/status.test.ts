import { describe, expect, it } from 'vitest';
import { createKeys, isExpired, MemoryStore } from '../src/index.js';

/**
 * Expiry and revocation are the engine's `statusOf` over keypal's stored strings, with keypal's
 * readings of bad input and keypal's order of refusals.
 */
describe('a key’s status', () => {
  const now = Date.parse('2030-06-01T00:00:00.000Z');
  const clock = { now: () => now };

  async function refusal(metadata: Record<string, unknown>): Promise<string | undefined> {
    const storage = new MemoryStore();
    const keys = createKeys({ storage, clock });
    const { key, record } = await keys.create({ ownerId: 'u' });
    await storage.updateMetadata(record.id, metadata);
    const result = await keys.verify(key);
    return result.valid ? undefined : result.errorCode;
  }

  it('revoked from revokedAt on; a revokedAt in the future (a grace period) still verifies', async () => {
    expect(await refusal({ revokedAt: '2030-06-01T00:00:00.000Z' })).toBe('REVOKED');
    expect(await refusal({ revokedAt: '2030-06-01T00:00:01.000Z' })).toBeUndefined();
  });

  it('expired from expiresAt on; an unparseable expiresAt never expires, an unparseable revokedAt is revoked (keypal)', async () => {
    expect(await refusal({ expiresAt: '2030-06-01T00:00:00.000Z' })).toBe('EXPIRED');
    expect(await refusal({ expiresAt: 'junk' })).toBeUndefined();
    expect(isExpired('junk', now)).toBe(false);
    expect(await refusal({ revokedAt: 'junk' })).toBe('REVOKED');
  });

  it('refuses in keypal’s order: expired before revoked before disabled', async () => {
    expect(await refusal({ expiresAt: '2030-01-01T00:00:00.000Z', revokedAt: '2030-01-01T00:00:00.000Z', enabled: false })).toBe('EXPIRED');
    expect(await refusal({ revokedAt: '2030-01-01T00:00:00.000Z', enabled: false })).toBe('REVOKED');
    expect(await refusal({ enabled: false })).toBe('DISABLED');
  });
});
