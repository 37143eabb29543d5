import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { jsonObject, list, quota, rateLimit, refill, resource, seconds, when } from './flags.js';

describe('option values', () => {
  it('durations: seconds, or a number with s, m, h, d, w', () => {
    expect([seconds('0'), seconds('90'), seconds('90s'), seconds('15m'), seconds('12h'), seconds('7d'), seconds('2w')]).toEqual([0, 90, 90, 900, 43_200, 604_800, 1_209_600]);
    for (const bad of ['', '1.5h', '-1', '10 m', '3y', 'h']) expect(() => seconds(bad), bad).toThrow(InvalidArgumentError);
  });

  it('--rate-limit: requests per window, or none', () => {
    expect(rateLimit('100/60s')).toEqual({ limit: 100, windowSeconds: 60 });
    expect(rateLimit('1000/1h')).toEqual({ limit: 1000, windowSeconds: 3600 });
    expect(rateLimit('10/s')).toEqual({ limit: 10, windowSeconds: 1 });
    expect(rateLimit('5/2d')).toEqual({ limit: 5, windowSeconds: 172_800 });
    expect(rateLimit('none')).toEqual({ algorithm: 'none' });
    for (const bad of ['100', '100/', '0/60s', '100/0s', '100 per minute', '/60s', '100/60']) expect(() => rateLimit(bad), bad).toThrow(InvalidArgumentError);
  });

  it('--quota and --refill: an amount per day or month', () => {
    expect(quota('10000/month')).toEqual({ limit: 10_000, period: 'month' });
    expect(refill('100/day')).toEqual({ amount: 100, interval: 'day' });
    for (const bad of ['10000', '0/day', '10/week', '10/Day']) expect(() => quota(bad), bad).toThrow(InvalidArgumentError);
  });

  it('--expires: an ISO date or date-time, or a duration from now', () => {
    expect(when('2027-01-31')).toBe('2027-01-31T00:00:00.000Z');
    expect(when('2027-01-31T12:30:00+02:00')).toBe('2027-01-31T10:30:00.000Z');
    const inAMonth = Date.parse(when('30d'));
    expect(inAMonth - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(inAMonth - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    for (const bad of ['tomorrow', '31/01/2027', '2027-13-45', '30']) expect(() => when(bad), bad).toThrow(InvalidArgumentError);
  });

  it('lists: comma-separated and repeatable; resources: name=scopes, repeatable', () => {
    expect(list('c', list(' a, b ,'))).toEqual(['a', 'b', 'c']);
    expect(() => list(' , ')).toThrow(InvalidArgumentError);
    expect(resource('project:2=read', resource('project:1=read,write'))).toEqual({ 'project:1': ['read', 'write'], 'project:2': ['read'] });
    expect(resource('a=b=c')).toEqual({ 'a=b': ['c'] });
    for (const bad of ['=read', 'project:1', 'project:1=']) expect(() => resource(bad), bad).toThrow(InvalidArgumentError);
  });

  it('--metadata: a JSON object only', () => {
    expect(jsonObject('{"plan":"pro"}')).toEqual({ plan: 'pro' });
    for (const bad of ['[1]', '"x"', 'null', '{plan:pro}']) expect(() => jsonObject(bad), bad).toThrow(InvalidArgumentError);
  });
});
