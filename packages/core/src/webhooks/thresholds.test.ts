import { describe, expect, it } from 'vitest';
import { reachedThresholds } from './thresholds.js';

describe('reachedThresholds', () => {
  it('a quota: 80 from 80 % used on, 100 when nothing is left', () => {
    expect(reachedThresholds('quota', { limit: 10, remaining: 3 })).toEqual([]);
    expect(reachedThresholds('quota', { limit: 10, remaining: 2 })).toEqual([80]);
    expect(reachedThresholds('quota', { limit: 10, remaining: 1 })).toEqual([80]);
    expect(reachedThresholds('quota', { limit: 10, remaining: 0 })).toEqual([80, 100]);
    // 80 % of 7 is 5.6: six used is past it, five is not.
    expect(reachedThresholds('quota', { limit: 7, remaining: 2 })).toEqual([]);
    expect(reachedThresholds('quota', { limit: 7, remaining: 1 })).toEqual([80]);
  });

  it('credits: 20 from 20 % left on, 0 when they are spent', () => {
    expect(reachedThresholds('credits', { limit: 100, remaining: 21 })).toEqual([]);
    expect(reachedThresholds('credits', { limit: 100, remaining: 20 })).toEqual([20]);
    expect(reachedThresholds('credits', { limit: 100, remaining: 0 })).toEqual([20, 0]);
    expect(reachedThresholds('credits', { limit: 1, remaining: 1 })).toEqual([]);
  });

  it('a limit of zero announces nothing', () => {
    expect(reachedThresholds('quota', { limit: 0, remaining: 0 })).toEqual([]);
    expect(reachedThresholds('credits', { limit: 0, remaining: 0 })).toEqual([]);
  });
});
