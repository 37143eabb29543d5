import { describe, expect, it } from 'vitest';
import { ElyzorError } from '../errors.js';
import { parsePermissionQuery, permits } from './permission-query.js';

const granted = (...names: string[]) => ({ global: names, resources: {} });
const holds = (query: string, ...names: string[]): boolean => permits(parsePermissionQuery(query), granted(...names));

describe("Unkey's permission queries", () => {
  it('AND binds tighter than OR; parentheses group; operators are case-insensitive', () => {
    expect(parsePermissionQuery('a OR b AND c')).toEqual({ or: [{ name: 'a' }, { and: [{ name: 'b' }, { name: 'c' }] }] });
    expect(parsePermissionQuery('(a OR b) AND c')).toEqual({ and: [{ or: [{ name: 'a' }, { name: 'b' }] }, { name: 'c' }] });
    expect(holds('a or b and c', 'a')).toBe(true);
    expect(holds('(a OR b) AND c', 'a')).toBe(false);
    expect(holds('(a OR b) AND c', 'b', 'c')).toBe(true);
  });

  it('names are granted as /v1 scopes are: a wildcard grant covers them', () => {
    expect(holds('documents.read AND api.*.verify_key', 'documents.read', 'api.*.verify_key')).toBe(true);
    expect(holds('billing:read', 'billing:*')).toBe(true);
    expect(holds('billing:read', 'billing:write')).toBe(false);
  });

  it('a syntax error is a validation error that says what is wrong', () => {
    for (const query of ['', '   ', 'a AND', 'OR a', '(a', 'a)', 'a b', '()', 'a AND (b OR)', 'a"b', 'x'.repeat(1001)]) {
      expect(() => parsePermissionQuery(query), JSON.stringify(query.slice(0, 20))).toThrow(ElyzorError);
    }
  });
});
