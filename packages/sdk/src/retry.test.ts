import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, parseRetryAfter, policyOf, retryDelay } from './retry.js';

const options = { max: 3, baseDelayMs: 100, maxDelayMs: 5_000 };
const now = Date.parse('2026-12-01T10:00:00Z');

describe('retryDelay', () => {
  it('idempotent methods retry on 502/503/504, timeouts and network errors; other statuses never', () => {
    expect(policyOf('GET')).toBe('idempotent');
    expect(policyOf('PUT')).toBe('idempotent');
    expect(policyOf('DELETE')).toBe('idempotent');
    expect(policyOf('POST')).toBe('never');
    expect(policyOf('PATCH')).toBe('never');
    for (const status of [502, 503, 504]) expect(retryDelay('idempotent', { kind: 'answer', status, retryAfter: null }, 0, options, now, 0.5)).toBe(50);
    for (const status of [400, 401, 404, 429, 500]) expect(retryDelay('idempotent', { kind: 'answer', status, retryAfter: null }, 0, options, now, 0.5)).toBeNull();
    expect(retryDelay('idempotent', { kind: 'timeout' }, 0, options, now, 0.5)).toBe(50);
    expect(retryDelay('idempotent', { kind: 'network', connected: true }, 0, options, now, 0.5)).toBe(50);
    expect(retryDelay('never', { kind: 'network', connected: false }, 0, options, now, 0.5)).toBeNull();
  });

  it('verification retries only a connection that was never made', () => {
    expect(retryDelay('before_connection', { kind: 'network', connected: false }, 0, options, now, 1)).toBe(100);
    expect(retryDelay('before_connection', { kind: 'network', connected: true }, 0, options, now, 1)).toBeNull();
    expect(retryDelay('before_connection', { kind: 'timeout' }, 0, options, now, 1)).toBeNull();
    expect(retryDelay('before_connection', { kind: 'answer', status: 503, retryAfter: '0' }, 0, options, now, 1)).toBeNull();
  });

  it('exponential backoff with full jitter, capped, for max attempts', () => {
    const network = { kind: 'network', connected: true } as const;
    expect([0, 1, 2].map((attempt) => retryDelay('idempotent', network, attempt, options, now, 0.999999))).toEqual([99.9999, 199.9998, 399.9996]);
    expect(retryDelay('idempotent', network, 1, options, now, 0)).toBe(0);
    expect(retryDelay('idempotent', network, 3, options, now, 0.5)).toBeNull();
    expect(retryDelay('idempotent', network, 9, { ...options, max: 20 }, now, 1)).toBe(5_000);
    expect(DEFAULT_RETRY.max).toBe(2);
  });

  it('Retry-After, in seconds or as a date, is honoured; longer than maxDelayMs means no retry', () => {
    const answer = (retryAfter: string) => ({ kind: 'answer', status: 503, retryAfter }) as const;
    expect(retryDelay('idempotent', answer('2'), 0, options, now, 0.1)).toBe(2_000);
    expect(retryDelay('idempotent', answer(new Date(now + 3_000).toUTCString()), 0, options, now, 0.1)).toBe(3_000);
    expect(retryDelay('idempotent', answer('60'), 0, options, now, 0.1)).toBeNull();
    expect(retryDelay('idempotent', answer('soon'), 0, options, now, 0.5)).toBe(50);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
  });
});
