import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS, retryDelay } from './backoff.js';

describe('webhook retry schedule', () => {
  it('backs off exponentially-ish with ±20 % jitter for about a day, then gives up', () => {
    expect(retryDelay(1, 0.5)).toBe(5_000);
    expect(retryDelay(1, 0)).toBe(4_000);
    expect(retryDelay(1, 0.999999)).toBe(6_000);
    expect(retryDelay(2, 0.5)).toBe(300_000);
    expect(retryDelay(RETRY_DELAYS_MS.length + 1, 0.5)).toBeNull();
    const total = RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0);
    expect(total / 3_600_000).toBeGreaterThan(24);
    expect(total / 3_600_000).toBeLessThan(30);
  });
});
