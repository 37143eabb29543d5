import { describe, expect, it } from 'vitest';
import { dueNotice } from './expiration-notification.service.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 10);
const thresholds = [30, 7, 1];

describe('dueNotice', () => {
  it('is the smallest threshold reached, once', () => {
    expect(dueNotice(now + 40 * DAY, now, thresholds, null)).toBeNull();
    expect(dueNotice(now + 30 * DAY, now, thresholds, null)).toBe(30);
    expect(dueNotice(now + 5 * DAY, now, thresholds, null)).toBe(7);
    expect(dueNotice(now + 5 * DAY, now, thresholds, 7)).toBeNull();
    expect(dueNotice(now + 5 * DAY, now, thresholds, 30)).toBe(7);
    expect(dueNotice(now + DAY / 2, now, thresholds, 7)).toBe(1);
    expect(dueNotice(now + DAY / 2, now, thresholds, 1)).toBeNull();
  });

  it('is expired once the key has expired, and then nothing', () => {
    expect(dueNotice(now, now, thresholds, 1)).toBe('expired');
    expect(dueNotice(now - DAY, now, thresholds, null)).toBe('expired');
    expect(dueNotice(now - DAY, now, thresholds, 'expired')).toBeNull();
  });

  it('sends nothing before expiry without thresholds', () => {
    expect(dueNotice(now + DAY, now, [], null)).toBeNull();
  });
});
