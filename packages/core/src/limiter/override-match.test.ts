import { describe, expect, it } from 'vitest';
import { likePattern, matchesPattern, matchOverride } from './override-match.js';

const rule = (identifier: string) => ({ id: identifier, identifier, limit: 1, durationMs: 1000 });

describe('matchesPattern', () => {
  it.each([
    ['acme_*', 'acme_42', true],
    ['acme_*', 'acme_', true],
    ['acme_*', 'acm', false],
    ['*_admin', 'root_admin', true],
    ['*_admin', 'root_admins', false],
    ['*bot*', 'a-bot-b', true],
    ['*bot*', 'bo', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['*', '', true],
  ])('%s against %s is %s', (pattern, identifier, expected) => {
    expect(matchesPattern(pattern, identifier)).toBe(expected);
  });
});

describe('matchOverride', () => {
  it('prefers an exact match, then the pattern fixing the most characters', () => {
    const overrides = [rule('*'), rule('acme_*'), rule('acme_pro_*'), rule('acme_pro_1')];
    expect(matchOverride('acme_pro_1', overrides)?.identifier).toBe('acme_pro_1');
    expect(matchOverride('acme_pro_2', overrides)?.identifier).toBe('acme_pro_*');
    expect(matchOverride('acme_free', overrides)?.identifier).toBe('acme_*');
    expect(matchOverride('other', overrides)?.identifier).toBe('*');
    expect(matchOverride('other', [rule('acme_*')])).toBeUndefined();
  });

  it('settles a tie between equally specific patterns the same way whatever their order', () => {
    expect(matchOverride('ab', [rule('b*'), rule('*b'), rule('a*')])?.identifier).toBe('*b');
    expect(matchOverride('ab', [rule('a*'), rule('*b')])?.identifier).toBe('*b');
  });
});

describe('likePattern', () => {
  it('escapes LIKE metacharacters and turns * into %', () => {
    expect(likePattern('a_b%c\\*')).toBe('a\\_b\\%c\\\\%');
  });
});
