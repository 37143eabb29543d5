import { describe, expect, it } from 'vitest';
import { splitSince, toCount } from './usage-ranges.js';

const iso = (d: Date): string => d.toISOString();

describe('splitSince', () => {
  it('reads minutes up to the next hour and hours up to the next day', () => {
    const split = splitSince(new Date('2026-11-30T13:30:15.500Z'));
    expect([iso(split.minutesFrom), iso(split.hoursFrom), iso(split.daysFrom)]).toEqual(['2026-11-30T13:30:15.500Z', '2026-11-30T14:00:00.000Z', '2026-12-01T00:00:00.000Z']);
  });

  it('reads no minutes from a whole hour, and no hours from a whole day', () => {
    const onHour = splitSince(new Date('2026-11-30T13:00:00.000Z'));
    expect(iso(onHour.hoursFrom)).toBe('2026-11-30T13:00:00.000Z');
    const onDay = splitSince(new Date('2026-11-30T00:00:00.000Z'));
    expect([iso(onDay.hoursFrom), iso(onDay.daysFrom)]).toEqual(['2026-11-30T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
  });

  it('moves a range that starts in the last hour of a day straight to the next day', () => {
    const split = splitSince(new Date('2026-11-30T23:59:59.999Z'));
    expect([iso(split.hoursFrom), iso(split.daysFrom)]).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
  });
});

describe('toCount', () => {
  it('reads bigint sums in every form a driver returns them, exactly above 2^31', () => {
    expect(toCount('5500000000')).toBe(5_500_000_000);
    expect(toCount(5_500_000_000n)).toBe(5_500_000_000);
    expect(toCount(3)).toBe(3);
    expect(toCount(null)).toBe(0);
  });
});
