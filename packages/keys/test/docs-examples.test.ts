import { describe, expect, it } from 'vitest';
import { ConfigError, createKeys } from '../src/index.js';

/** The examples of docs/keys.md that are not keypal's own samples (those are in readme-samples). */
describe('docs/keys.md examples', () => {
  it("Elyzor's extras: limits, quota, credits, IP rules on create; ip and cost on verify", async () => {
    const keys = createKeys({ prefix: 'sk_' });
    const { key } = await keys.create({
      ownerId: 'user_123',
      rateLimit: { algorithm: 'sliding_window', limit: 100, windowSeconds: 60 },
      quota: { limit: 10_000, period: 'month' },
      credits: { remaining: 500, refill: { amount: 500, interval: 'month' } },
      ipAllowlist: ['10.0.0.0/8'],
      ipDenylist: ['10.0.0.66'],
    });
    const request = { headers: { authorization: `Bearer ${key}` } };
    const clientAddress = '10.1.2.3';
    const result = await keys.verify(request.headers, { ip: clientAddress, cost: 1 });
    expect(result.valid).toBe(true);
    expect(result.limits).toMatchObject({
      rateLimit: { limit: 100, remaining: 99 },
      quota: { limit: 10_000, remaining: 9_999 },
      credits: { limit: 500, remaining: 499 },
    });
    expect((await keys.verify(request.headers, { ip: '10.0.0.66' })).errorCode).toBe('IP_NOT_ALLOWED');
  });

  it('rotation with a grace period, usage counts, checksummed keys, wildcard scopes', async () => {
    const keys = createKeys({ keyFormat: 'elyzor', environment: 'live', scopeWildcards: true });
    const { key, record } = await keys.create({ ownerId: 'u', scopes: ['read:*'] });
    expect(key).toMatch(/^sk_live_/);
    await keys.verify(key);
    expect(await keys.getUsage(record.id)).toBe(1);
    expect(keys.hasScope(record, 'read:invoices')).toBe(true);
    const next = await keys.rotate(record.id, {}, undefined, { gracePeriod: 3600 });
    expect((await keys.verify(key)).valid).toBe(true);
    expect((await keys.verify(next.key)).valid).toBe(true);
  });

  it('a malformed option is named in the error', () => {
    expect(() => createKeys({ cacheTtl: 0 })).toThrow(new ConfigError('cacheTtl', 'must be a positive number of seconds'));
    expect(() => createKeys({ cacheTtl: 0 })).toThrow('createKeys: option "cacheTtl" must be a positive number of seconds');
  });
});
