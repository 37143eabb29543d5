import { credentialRecord } from '../../test-support/credential-record.js';
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { ManualClock } from '../clock.js';
import { encodeBase62, randomBase62 } from '../keys/base62.js';
import { createDigester } from '../keys/digest.js';
import { CHECKSUM_LENGTH, generateCredential, parseCredential } from '../keys/key-format.js';
import { MemoryLimiter } from '../limiter/limiter.js';
import type { UsageEvent } from '../usage.js';
import { generateUnkeyKey, unkeyLookupId } from '../keys/unkey-format.js';
import { CredentialCache } from './credential-cache.js';
import { ForeignKeys } from './foreign-keys.js';
import type { CredentialKind, CredentialRecord } from './record.js';
import { Verifier, quotaWindow } from './verifier.js';

// 22:00 UTC: two hours before the next UTC midnight.
const NOW = Date.UTC(2025, 2, 10, 22, 0, 0);
const TWO_HOURS = 2 * 3_600_000;

const limiters: MemoryLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((l) => l.close()));
});

function setup(options: { foreignKeys?: ForeignKeys } = {}) {
  const clock = new ManualClock(NOW);
  const records = new Map<string, CredentialRecord>();
  const lookups: string[] = [];
  const events: UsageEvent[] = [];
  const digest = createDigester();
  const limiter = new MemoryLimiter(clock);
  limiters.push(limiter);
  const cache = new CredentialCache(clock, { ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 1000 });
  const verifier = new Verifier({
    lookup: (publicId) => {
      lookups.push(publicId);
      return Promise.resolve(records.get(publicId) ?? null);
    },
    cache,
    limiter,
    usage: { record: (event) => events.push(event) },
    clock,
    digest,
    defaultRateLimit: { limit: 100, windowSeconds: 60 },
    foreignKeys: options.foreignKeys,
  });

  /** Creates a credential, stores its record, and returns the token and the record. */
  function issue(kind: CredentialKind = 'key', overrides: Partial<CredentialRecord> = {}) {
    const credential = generateCredential(kind === 'key' ? 'sk' : 'svc', 'live');
    const record = credentialRecord(credential.publicId, {
      kind,
      digest: digest(credential.token),
      name: kind === 'service' ? 'billing' : null,
      limitKey: `id_${credential.publicId}`,
      ...overrides,
    });
    records.set(credential.publicId, record);
    return { token: credential.token, record };
  }

  return { clock, records, lookups, events, digest, limiter, cache, verifier, issue };
}

/** Another well-formed token (valid checksum) with the same public id and a different secret. */
function sibling(token: string): string {
  const parsed = parseCredential(token);
  if (parsed === null) throw new Error('not a credential');
  const body = `${parsed.type}_${parsed.environment}_${parsed.publicId}.${randomBase62(43)}`;
  return body + encodeBase62(crc32(body), CHECKSUM_LENGTH);
}

describe('Verifier: valid credentials', () => {
  it('accepts a valid key and counts down the default rate limit (100 per 60 s)', async () => {
    const { verifier, issue } = setup();
    const { token, record } = issue();
    const first = await verifier.verify({ token, kind: 'key' });
    expect(first.outcome).toBe('valid');
    expect(first.record).toEqual(record);
    expect(first.retryAfterMs).toBe(0);
    expect(first.quota).toBeNull();
    expect(first.rateLimit).toMatchObject({ allowed: true, limit: 100, remaining: 99 });
    const second = await verifier.verify({ token, kind: 'key' });
    expect(second.rateLimit?.remaining).toBe(98);
  });

  it('reads the store once and then serves the credential from the cache', async () => {
    const { verifier, issue, lookups } = setup();
    const { token, record } = issue();
    for (let i = 0; i < 5; i++) await verifier.verify({ token, kind: 'key' });
    expect(lookups).toEqual([record.publicId]);
  });

  it('accepts a service credential at the service endpoint', async () => {
    const { verifier, issue } = setup();
    const { token } = issue('service');
    expect((await verifier.verify({ token, kind: 'service' })).outcome).toBe('valid');
  });

  it('spends `cost` units', async () => {
    const { verifier, issue } = setup();
    const { token } = issue();
    expect((await verifier.verify({ token, kind: 'key', cost: 10 })).rateLimit?.remaining).toBe(90);
    expect((await verifier.verify({ token, kind: 'key' })).rateLimit?.remaining).toBe(89);
  });

  it('accepts a credential within its rotation overlap, and refuses it once revokedAt has passed', async () => {
    const { verifier, issue, clock } = setup();
    const { token } = issue('key', { revokedAt: NOW + 3_600_000 });
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('valid');
    clock.advance(3_600_000);
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('key_revoked');
  });
});

describe('Verifier: invalid_key', () => {
  it('refuses a service credential at the key endpoint, and a key at the service endpoint, without a lookup', async () => {
    const { verifier, issue, lookups, events } = setup();
    const svc = issue('service');
    const key = issue('key');
    expect(await verifier.verify({ token: svc.token, kind: 'key' })).toEqual({
      outcome: 'invalid_key',
      record: null,
      rateLimit: null,
      quota: null,
      credits: null,
      retryAfterMs: 0,
    });
    expect((await verifier.verify({ token: key.token, kind: 'service' })).outcome).toBe('invalid_key');
    expect(lookups).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses malformed or missing credentials with zero lookups and no usage event', async () => {
    const { verifier, issue, lookups, events } = setup();
    const { token } = issue();
    const flipped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    for (const bad of [undefined, '', 'garbage', `Bearer ${token}`, `${token} `, flipped, token.slice(0, -1)]) {
      const result = await verifier.verify({ token: bad, kind: 'key' });
      expect(result.outcome, String(bad)).toBe('invalid_key');
      expect(result.record).toBeNull();
    }
    expect(lookups).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses a well-formed token whose digest does not match the stored one, with no usage event', async () => {
    const { verifier, issue, records, digest, events } = setup();
    const { token, record } = issue();
    const other = sibling(token);
    expect(parseCredential(other)?.publicId).toBe(record.publicId);
    records.set(record.publicId, { ...record, digest: digest(other) });

    const result = await verifier.verify({ token, kind: 'key' });
    expect(result).toMatchObject({ outcome: 'invalid_key', record: null, rateLimit: null });
    expect(events).toEqual([]);
    // Control: the token the stored digest belongs to is accepted.
    expect((await verifier.verify({ token: other, kind: 'key' })).outcome).toBe('valid');
  });

  it('refuses many guessed secrets with a valid checksum for a known public id', async () => {
    const { verifier, issue, events } = setup();
    const { token } = issue();
    for (let i = 0; i < 50; i++) {
      expect((await verifier.verify({ token: sibling(token), kind: 'key' })).outcome).toBe('invalid_key');
    }
    expect(events).toEqual([]);
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('valid');
  });

  it('refuses an unknown public id and remembers the miss', async () => {
    const { verifier, lookups, events } = setup();
    const { token, publicId } = generateCredential('sk');
    for (let i = 0; i < 3; i++) expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('invalid_key');
    expect(lookups).toEqual([publicId]);
    expect(events).toEqual([]);
  });
});

describe('Verifier: bounded lookups (admitLookup)', () => {
  it('reads a cache miss through the lookup admitLookup gives, and answers a refused lookup invalid_key', async () => {
    const { verifier, issue, lookups } = setup();
    const { token, record } = issue();
    const asked: string[] = [];
    const refuse = (): null => {
      asked.push('refused');
      return null;
    };
    expect(await verifier.verify({ token, kind: 'key', admitLookup: refuse })).toMatchObject({ outcome: 'invalid_key', record: null });
    expect(lookups).toEqual([]);
    const admit = (): ((publicId: string) => Promise<CredentialRecord | null>) => {
      asked.push('admitted');
      return (publicId) => {
        asked.push(`read ${publicId}`);
        return Promise.resolve(record);
      };
    };
    expect((await verifier.verify({ token, kind: 'key', admitLookup: admit })).outcome).toBe('valid');
    // Read by the admitted lookup, not the verifier's own.
    expect(lookups).toEqual([]);
    // Cached now: nothing to admit.
    expect((await verifier.verify({ token, kind: 'key', admitLookup: refuse })).outcome).toBe('valid');
    expect(asked).toEqual(['refused', 'admitted', `read ${record.publicId}`]);
  });

  it('keeps single flight: concurrent misses on one id make one admitted read, and the miss is remembered', async () => {
    const { verifier } = setup();
    const { token, publicId } = generateCredential('sk');
    const reads: string[] = [];
    const admit = (): ((id: string) => Promise<CredentialRecord | null>) => (id) => {
      reads.push(id);
      return Promise.resolve(null);
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => verifier.verify({ token, kind: 'key', admitLookup: admit })));
    expect(results.map((result) => result.outcome)).toEqual(Array.from({ length: 5 }, () => 'invalid_key'));
    expect((await verifier.verify({ token, kind: 'key', admitLookup: admit })).outcome).toBe('invalid_key');
    expect(reads).toEqual([publicId]);
  });

  it('rejects when an admitted lookup fails', async () => {
    const { verifier } = setup();
    const verifying = verifier.verify({ token: generateCredential('sk').token, kind: 'key', admitLookup: () => () => Promise.reject(new Error('store unavailable')) });
    await expect(verifying).rejects.toThrow('store unavailable');
  });
});

describe('Verifier: policy refusals', () => {
  it('answers key_revoked for a revoked key, records usage and spends no limit', async () => {
    const { verifier, issue, events, limiter } = setup();
    const { token, record } = issue('key', { revokedAt: NOW - 1000 });
    const result = await verifier.verify({ token, kind: 'key' });
    // The rate limit is only probed, for the response headers: nothing is spent.
    expect(result).toMatchObject({ outcome: 'key_revoked', record, rateLimit: { limit: 100, remaining: 100 }, quota: null, credits: null, retryAfterMs: 0 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ projectId: 'proj_1', credentialId: record.id, kind: 'key', outcome: 'key_revoked' });
    expect(limiter.size).toBe(0);
  });

  it('answers service_revoked for a revoked service', async () => {
    const { verifier, issue, events } = setup();
    const { token } = issue('service', { revokedAt: NOW - 1000 });
    expect((await verifier.verify({ token, kind: 'service' })).outcome).toBe('service_revoked');
    expect(events[0]?.kind).toBe('service');
  });

  it('sees a revocation on the next request once the cache is invalidated', async () => {
    const { verifier, issue, records, cache } = setup();
    const { token, record } = issue();
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('valid');
    records.set(record.publicId, { ...record, revokedAt: NOW });
    cache.invalidate([record.publicId]);
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('key_revoked');
  });

  it('answers key_expired and key_disabled', async () => {
    const { verifier, issue } = setup();
    expect((await verifier.verify({ token: issue('key', { expiresAt: NOW }).token, kind: 'key' })).outcome).toBe('key_expired');
    expect((await verifier.verify({ token: issue('key', { enabled: false }).token, kind: 'key' })).outcome).toBe('key_disabled');
  });

  it('answers ip_not_allowed from the address of the request', async () => {
    const { verifier, issue } = setup();
    const { token } = issue('key', { ipAllowlist: ['192.0.2.0/24'] });
    expect((await verifier.verify({ token, kind: 'key', ip: '192.0.2.10' })).outcome).toBe('valid');
    expect((await verifier.verify({ token, kind: 'key', ip: '198.51.100.10' })).outcome).toBe('ip_not_allowed');
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('ip_not_allowed');
  });

  it('answers insufficient_scope with the missing scopes', async () => {
    const { verifier, issue, events } = setup();
    const { token } = issue('key', { scopes: { global: ['read:invoices'], resources: { 'project:1': ['write:invoices'] } } });
    const result = await verifier.verify({ token, kind: 'key', scopes: ['read:invoices', 'write:invoices', 'delete:invoices'] });
    expect(result.outcome).toBe('insufficient_scope');
    expect(result.missingScopes).toEqual(['write:invoices', 'delete:invoices']);
    expect(result.rateLimit).toMatchObject({ remaining: 100 });
    expect(events.map((e) => e.outcome)).toEqual(['insufficient_scope']);
    const onResource = await verifier.verify({ token, kind: 'key', scopes: ['read:invoices', 'write:invoices'], resource: 'project:1' });
    expect(onResource.outcome).toBe('valid');
    expect(onResource.missingScopes).toBeUndefined();
  });
});

describe('Verifier: rate limits and quotas', () => {
  it('answers rate_limit_exceeded past a sliding-window limit of its own', async () => {
    const { verifier, issue, events } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'sliding_window', limit: 2, windowSeconds: 60 } });
    expect((await verifier.verify({ token, kind: 'key' })).rateLimit).toMatchObject({ limit: 2, remaining: 1 });
    await verifier.verify({ token, kind: 'key' });
    const refused = await verifier.verify({ token, kind: 'key' });
    expect(refused.outcome).toBe('rate_limit_exceeded');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBe(refused.rateLimit?.retryAfterMs);
    expect(events.map((e) => e.outcome)).toEqual(['valid', 'valid', 'rate_limit_exceeded']);
  });

  it('never limits a credential with rateLimit { algorithm: none }', async () => {
    const { verifier, issue, limiter } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'none' } });
    for (let i = 0; i < 300; i++) {
      const result = await verifier.verify({ token, kind: 'key' });
      expect(result.outcome).toBe('valid');
      expect(result.rateLimit).toBeNull();
    }
    expect(limiter.size).toBe(0);
  });

  it('applies a token-bucket policy: burst, then one per refill interval', async () => {
    const { verifier, issue, clock } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'token_bucket', limit: 1, windowSeconds: 1, burst: 3 } });
    const remaining: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const result = await verifier.verify({ token, kind: 'key' });
      expect(result.outcome).toBe('valid');
      expect(result.rateLimit?.limit).toBe(3);
      remaining.push(result.rateLimit?.remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await verifier.verify({ token, kind: 'key' });
    expect(refused).toMatchObject({ outcome: 'rate_limit_exceeded', retryAfterMs: 1000 });
    clock.advance(999);
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('rate_limit_exceeded');
    clock.advance(1);
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('valid');
  });

  it('answers quota_exceeded past a daily quota, with retryAfterMs up to the next UTC midnight', async () => {
    const { verifier, issue, clock, events } = setup();
    const { token } = issue('key', { quota: { limit: 3, period: 'day' } });
    const remaining: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const result = await verifier.verify({ token, kind: 'key' });
      expect(result.outcome).toBe('valid');
      remaining.push(result.quota?.remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await verifier.verify({ token, kind: 'key' });
    expect(refused.outcome).toBe('quota_exceeded');
    expect(refused.retryAfterMs).toBe(TWO_HOURS);
    expect(refused.quota).toMatchObject({ allowed: false, limit: 3, remaining: 0, resetAt: NOW + TWO_HOURS });
    expect(events.at(-1)?.outcome).toBe('quota_exceeded');

    clock.set(NOW + TWO_HOURS - 1);
    expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('quota_exceeded');
    clock.set(NOW + TWO_HOURS);
    const nextDay = await verifier.verify({ token, kind: 'key' });
    expect(nextDay.outcome).toBe('valid');
    expect(nextDay.quota?.remaining).toBe(2);
  });

  it('reports the quota without a rate limit when rateLimit is none', async () => {
    const { verifier, issue } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'none' }, quota: { limit: 1, period: 'month' } });
    const first = await verifier.verify({ token, kind: 'key' });
    expect(first).toMatchObject({ outcome: 'valid', rateLimit: null, quota: { remaining: 0 } });
    const second = await verifier.verify({ token, kind: 'key' });
    expect(second.outcome).toBe('quota_exceeded');
    expect(second.retryAfterMs).toBe(Date.UTC(2025, 3, 1) - NOW);
  });

  it('does not spend the rate limit on requests the quota refuses', async () => {
    const { verifier, issue } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'sliding_window', limit: 5, windowSeconds: 60 }, quota: { limit: 3, period: 'day' } });
    for (let i = 0; i < 3; i++) expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('valid');
    // 3 of 5 rate-limit units used; if refusals spent them, the third refusal would be a rate limit.
    for (let i = 0; i < 5; i++) expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('quota_exceeded');
  });

  it('does not spend the quota on requests the rate limit refuses', async () => {
    const { verifier, issue, clock } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'sliding_window', limit: 2, windowSeconds: 60 }, quota: { limit: 5, period: 'day' } });
    for (let i = 0; i < 2; i++) expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('valid');
    for (let i = 0; i < 4; i++) expect((await verifier.verify({ token, kind: 'key' })).outcome).toBe('rate_limit_exceeded');
    // Three minutes later the rate limit has fully recovered (still the same day): 3 of 5 quota
    // units are left, and the rate limit admits 2 per minute.
    const outcomes: string[] = [];
    for (let round = 0; round < 2; round++) {
      clock.advance(180_000);
      for (let i = 0; i < 2; i++) outcomes.push((await verifier.verify({ token, kind: 'key' })).outcome);
    }
    expect(outcomes).toEqual(['valid', 'valid', 'valid', 'quota_exceeded']);
  });

  it('admits exactly the limit of many concurrent verifications', async () => {
    const { verifier, issue } = setup();
    const { token } = issue('key', { rateLimit: { algorithm: 'sliding_window', limit: 50, windowSeconds: 60 } });
    const results = await Promise.all(Array.from({ length: 200 }, () => verifier.verify({ token, kind: 'key' })));
    expect(results.filter((r) => r.outcome === 'valid')).toHaveLength(50);
    expect(results.filter((r) => r.outcome === 'rate_limit_exceeded')).toHaveLength(150);
  });
});

describe('Verifier: usage events', () => {
  it('carry the project, credential, kind, outcome, a non-negative latency and the time', async () => {
    const { verifier, issue, events, clock } = setup();
    const key = issue('key');
    const svc = issue('service', { projectId: 'proj_2', enabled: false });
    await verifier.verify({ token: key.token, kind: 'key' });
    clock.advance(5000);
    await verifier.verify({ token: svc.token, kind: 'service' });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ projectId: 'proj_1', credentialId: key.record.id, kind: 'key', outcome: 'valid', at: NOW });
    expect(events[1]).toMatchObject({ projectId: 'proj_2', credentialId: svc.record.id, kind: 'service', outcome: 'key_disabled', at: NOW + 5000 });
    for (const event of events) {
      expect(typeof event.latencyMs).toBe('number');
      expect(event.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(event.latencyMs)).toBe(true);
    }
  });

  it('are recorded once per verification of an authentic credential', async () => {
    const { verifier, issue, events } = setup();
    const { token } = issue();
    for (let i = 0; i < 7; i++) await verifier.verify({ token, kind: 'key' });
    expect(events).toHaveLength(7);
  });
});

describe('quotaWindow', () => {
  const day = { limit: 1, period: 'day' } as const;
  const month = { limit: 1, period: 'month' } as const;
  const year = { limit: 1, period: 'year' } as const;

  it('is the UTC calendar day for a daily quota', () => {
    expect(quotaWindow(day, Date.UTC(2025, 2, 10, 13, 45, 7))).toEqual({ windowStart: Date.UTC(2025, 2, 10), windowEnd: Date.UTC(2025, 2, 11) });
  });

  it('puts midnight in the day it starts and the last millisecond in the day it ends', () => {
    expect(quotaWindow(day, Date.UTC(2025, 2, 10)).windowStart).toBe(Date.UTC(2025, 2, 10));
    expect(quotaWindow(day, Date.UTC(2025, 2, 11) - 1).windowEnd).toBe(Date.UTC(2025, 2, 11));
  });

  it('rolls a daily window over month and year ends', () => {
    expect(quotaWindow(day, Date.UTC(2024, 1, 29, 23, 0))).toEqual({ windowStart: Date.UTC(2024, 1, 29), windowEnd: Date.UTC(2024, 2, 1) });
    expect(quotaWindow(day, Date.UTC(2024, 11, 31, 23, 59, 59, 999))).toEqual({
      windowStart: Date.UTC(2024, 11, 31),
      windowEnd: Date.UTC(2025, 0, 1),
    });
  });

  it('is the UTC calendar month for a monthly quota', () => {
    expect(quotaWindow(month, Date.UTC(2025, 2, 10, 13))).toEqual({ windowStart: Date.UTC(2025, 2, 1), windowEnd: Date.UTC(2025, 3, 1) });
    // February of a leap year: 29 days
    const feb = quotaWindow(month, Date.UTC(2024, 1, 15));
    expect(feb.windowEnd - feb.windowStart).toBe(29 * 86_400_000);
  });

  it('is the UTC calendar year for a yearly quota (the NestJS module\'s quotaPeriod: \'yearly\')', () => {
    expect(quotaWindow({ limit: 1, period: 'year' }, Date.UTC(2024, 5, 15, 12))).toEqual({ windowStart: Date.UTC(2024, 0, 1), windowEnd: Date.UTC(2025, 0, 1) });
    expect(quotaWindow({ limit: 1, period: 'year' }, Date.UTC(2025, 0, 1) - 1).windowEnd).toBe(Date.UTC(2025, 0, 1));
    expect(quotaWindow({ limit: 1, period: 'year' }, Date.UTC(2025, 0, 1)).windowStart).toBe(Date.UTC(2025, 0, 1));
  });

  it('rolls a December monthly window over into January of the next year', () => {
    expect(quotaWindow(month, Date.UTC(2024, 11, 31, 23, 59, 59, 999))).toEqual({
      windowStart: Date.UTC(2024, 11, 1),
      windowEnd: Date.UTC(2025, 0, 1),
    });
    expect(quotaWindow(month, Date.UTC(2025, 0, 1))).toEqual({ windowStart: Date.UTC(2025, 0, 1), windowEnd: Date.UTC(2025, 1, 1) });
  });

  it('is the UTC calendar year for a yearly quota, leap years included', () => {
    expect(quotaWindow(year, Date.UTC(2025, 6, 4, 12))).toEqual({ windowStart: Date.UTC(2025, 0, 1), windowEnd: Date.UTC(2026, 0, 1) });
    const leap = quotaWindow(year, Date.UTC(2024, 1, 29));
    expect(leap.windowEnd - leap.windowStart).toBe(366 * 86_400_000);
    expect(quotaWindow(year, Date.UTC(2025, 0, 1) - 1).windowEnd).toBe(Date.UTC(2025, 0, 1));
  });

  it('always contains `now` and starts at a UTC midnight (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), fc.constantFrom(day, month, year), (now, quota) => {
        const { windowStart, windowEnd } = quotaWindow(quota, now);
        expect(windowStart).toBeLessThanOrEqual(now);
        expect(windowEnd).toBeGreaterThan(now);
        expect(windowStart % 86_400_000).toBe(0);
        expect(windowEnd % 86_400_000).toBe(0);
        const days = (windowEnd - windowStart) / 86_400_000;
        if (quota.period === 'day') expect(days).toBe(1);
        else {
          expect(new Date(windowStart).getUTCDate()).toBe(1);
          expect(new Date(windowEnd).getUTCDate()).toBe(1);
          if (quota.period === 'year') {
            expect(new Date(windowStart).getUTCMonth()).toBe(0);
            expect([365, 366]).toContain(days);
          } else {
            expect(days).toBeGreaterThanOrEqual(28);
            expect(days).toBeLessThanOrEqual(31);
          }
        }
      }),
    );
  });
});

describe('Verifier: answered in the same turn when nothing has to be waited for', () => {
  it('returns the result itself, not a promise, for a cached credential with an in-process limiter', async () => {
    const { verifier, issue } = setup();
    const { token } = issue();
    await verifier.verify({ token, kind: 'key' }); // a miss: read and cached
    const hit = verifier.verify({ token, kind: 'key' });
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toMatchObject({ outcome: 'valid', rateLimit: { remaining: 98 } });
  });

  it('returns the result itself for a malformed string and for a cached unknown id', async () => {
    const { verifier } = setup();
    expect(verifier.verify({ token: 'sk_live_nope', kind: 'key' })).toMatchObject({ outcome: 'invalid_key' });
    const unknown = generateCredential('sk', 'live').token;
    const miss = verifier.verify({ token: unknown, kind: 'key' });
    expect(miss).toBeInstanceOf(Promise);
    expect(await miss).toMatchObject({ outcome: 'invalid_key' });
    const cachedMiss = verifier.verify({ token: unknown, kind: 'key' });
    expect(cachedMiss).not.toBeInstanceOf(Promise);
    expect(cachedMiss).toMatchObject({ outcome: 'invalid_key' });
  });

  it('waits for a limiter that decides elsewhere, and decides the same', async () => {
    const { clock, cache, digest, records, issue } = setup();
    const inProcess = new MemoryLimiter(clock);
    limiters.push(inProcess);
    // A limiter with no consumeSync, as the Redis one: every decision is a round trip.
    const remote = { consume: inProcess.consume.bind(inProcess), close: () => Promise.resolve() };
    const verifier = new Verifier({
      lookup: (publicId) => Promise.resolve(records.get(publicId) ?? null),
      cache,
      limiter: remote,
      usage: { record: () => undefined },
      clock,
      digest,
      defaultRateLimit: { limit: 2, windowSeconds: 60 },
    });
    const { token } = issue();
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const pending = verifier.verify({ token, kind: 'key' });
      expect(pending).toBeInstanceOf(Promise);
      answers.push(await pending);
    }
    expect(answers.map((a) => a.outcome)).toEqual(['valid', 'valid', 'rate_limit_exceeded']);
  });
});

describe('limits beside the credential’s own (an identity’s)', () => {
  it('spends them with the credential’s in one step; a refusal by one is rate_limit_exceeded and spends no quota', async () => {
    const { verifier, issue } = setup();
    const { token } = issue('key', { quota: { limit: 10, period: 'day' } });
    const shared = { key: 'rl:identity:test:requests', rule: { type: 'sliding_window' as const, limit: 2, windowMs: 60_000 } };
    const first = await verifier.verify({ token, kind: 'key', limits: [shared] });
    expect(first.outcome).toBe('valid');
    expect(first.limits?.map((d) => d.remaining)).toEqual([1]);
    expect(first.rateLimit?.remaining).toBe(99);
    expect(first.quota?.remaining).toBe(9);
    expect((await verifier.verify({ token, kind: 'key', limits: [shared] })).outcome).toBe('valid');
    const refused = await verifier.verify({ token, kind: 'key', limits: [shared] });
    expect(refused.outcome).toBe('rate_limit_exceeded');
    expect(refused.limits?.[0]).toMatchObject({ allowed: false, remaining: 0 });
    // Nothing was spent by the refused call: the quota and the key's own limit kept their units.
    const alone = await verifier.verify({ token, kind: 'key' });
    expect(alone.quota?.remaining).toBe(7);
    expect(alone.rateLimit?.remaining).toBe(97);
    expect(alone.limits).toBeUndefined();
  });
});

describe("Verifier: keys of Unkey's format (ForeignKeys)", () => {
  it('without such keys, refuses a string of their form with no lookup; a lookup that finds one (find) turns their lookups on', async () => {
    const foreignKeys = new ForeignKeys(false);
    const { verifier, records, lookups, events } = setup({ foreignKeys });
    const key = generateUnkeyKey('acme', 16);
    records.set(key.publicId, credentialRecord(key.publicId, { kind: 'key', digest: key.digest, limitKey: 'id_unkey' }));

    expect((await verifier.verify({ token: key.token, kind: 'key' })).outcome).toBe('invalid_key');
    expect(lookups).toEqual([]);
    expect(events).toHaveLength(0);

    expect((await verifier.find(key.token, 'key'))?.publicId).toBe(key.publicId);
    expect(foreignKeys.present).toBe(true);
    expect((await verifier.verify({ token: key.token, kind: 'key' })).outcome).toBe('valid');
    expect(lookups).toEqual([key.publicId]);
  });

  it('looks such strings up when told of one by the change bus, and always without a ForeignKeys', async () => {
    const foreignKeys = new ForeignKeys(false);
    foreignKeys.changed(['4Fq9Tz0bKx2Lm7Qa']);
    expect(foreignKeys.present).toBe(false);
    foreignKeys.changed(['4Fq9Tz0bKx2Lm7Qa', unkeyLookupId('0'.repeat(64))]);
    expect(foreignKeys.present).toBe(true);

    const { verifier, lookups } = setup();
    const key = generateUnkeyKey('', 16);
    expect((await verifier.verify({ token: key.token, kind: 'key' })).outcome).toBe('invalid_key');
    expect(lookups).toEqual([key.publicId]);
  });
});
