import { describe, expect, it } from 'vitest';
import { dueNotice } from './expiry-notices.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 5, 1);
const none = new Set<string>();

describe('expiry notices', () => {
  it('are due 30, 7 and 1 days before expiry and at expiry, each once', () => {
    expect(dueNotice(now + 31 * DAY, now, none)).toBeNull();
    expect(dueNotice(now + 30 * DAY, now, none)).toEqual({ notice: '30d', covers: ['30d'] });
    expect(dueNotice(now + 20 * DAY, now, new Set(['30d']))).toBeNull();
    expect(dueNotice(now + 7 * DAY, now, new Set(['30d']))).toEqual({ notice: '7d', covers: ['30d', '7d'] });
    expect(dueNotice(now + DAY, now, new Set(['30d', '7d']))).toEqual({ notice: '1d', covers: ['30d', '7d', '1d'] });
    expect(dueNotice(now, now, new Set(['30d', '7d', '1d']))).toEqual({ notice: 'expired', covers: ['30d', '7d', '1d', 'expired'] });
    expect(dueNotice(now - DAY, now, new Set(['30d', '7d', '1d', 'expired']))).toBeNull();
  });

  it('send only the most urgent one when several are due, and nothing for long-expired credentials', () => {
    expect(dueNotice(now + 5 * DAY, now, none)).toEqual({ notice: '7d', covers: ['30d', '7d'] });
    expect(dueNotice(now - DAY, now, none)?.notice).toBe('expired');
    expect(dueNotice(now - 8 * DAY, now, none)).toBeNull();
  });
});
