import { describe, expect, it } from 'vitest';
import { createKeys, MemoryStore, type ApiKeyMetadata } from '../src/index.js';

/** The extras: their shapes checked by the library, the rest by the engine's `validatePolicy`. */
describe('validation of the extras', () => {
  it('the engine’s rules: IP syntax, and no burst on a sliding window (it would be ignored)', async () => {
    const keys = createKeys({ storage: new MemoryStore() });
    await expect(keys.create({ ownerId: 'u', ipDenylist: ['10.0.0.0/33'] })).rejects.toThrow(/^create: metadata\.ipDenylist has an entry that is not an IP address or CIDR range/);
    const burst = { algorithm: 'sliding_window', limit: 1, windowSeconds: 1, burst: 5 } as unknown as ApiKeyMetadata['rateLimit'];
    await expect(keys.create({ ownerId: 'u', rateLimit: burst })).rejects.toThrow('create: metadata.rateLimit.burst applies to the token_bucket algorithm only');
    const { record } = await keys.create({ ownerId: 'u' });
    await expect(keys.update(record.id, { ipAllowlist: ['::1/129'] })).rejects.toThrow(/^update: ipAllowlist has an entry that is not an IP address/);
  });

  it('the library’s shapes, with its messages', async () => {
    const keys = createKeys({ storage: new MemoryStore() });
    await expect(keys.create({ ownerId: 'u', ipAllowlist: [1] as unknown as string[] })).rejects.toThrow('create: metadata.ipAllowlist must be an array of addresses or CIDR ranges');
    await expect(keys.create({ ownerId: 'u', credits: { remaining: -1 } })).rejects.toThrow('create: metadata.credits.remaining must be a non-negative integer');
    const { record } = await keys.create({ ownerId: 'u', quota: { limit: 1, period: 'year' } });
    expect(record.metadata.quota).toEqual({ limit: 1, period: 'year' });
  });
});
