import { describe, expect, it } from 'vitest';
import { scopeCovers as engineCovers } from '../../../core/src/verify/scopes.js';
import { cookieValue, credentialOf, scopeCovers } from './core.js';

describe('middleware core', () => {
  it("scopeCovers is the engine's rule, case by case", () => {
    const granted = ['*', 'read', 'read:*', 'read:invoices', 'read:invoices:*', 'write:*', ':*', 'a:b:*'];
    const required = ['read', 'read:invoices', 'read:invoices:2024', 'write', 'write:x', 'readx', 'a:b:c', 'a:bc', ''];
    for (const g of granted) for (const r of required) expect([g, r, scopeCovers(g, r)]).toEqual([g, r, engineCovers(g, r)]);
  });

  it('credential sources in the documented order; query and cookie only when named', () => {
    const sources = (headers: Record<string, string>, query: Record<string, string> = {}) => ({
      header: (name: string) => headers[name],
      query: (name: string) => query[name],
      cookieHeader: headers.cookie,
    });
    const all = sources({ authorization: 'Bearer A', 'x-api-key': 'B', 'x-custom': 'C', cookie: 'k=E' }, { key: 'D' });
    const named = { headerNames: ['x-api-key', 'x-custom'], query: 'key', cookie: 'k' };
    expect(credentialOf(all, named)).toBe('A');
    expect(credentialOf(sources({ 'x-custom': 'C', cookie: 'k=E' }, { key: 'D' }), named)).toBe('C');
    expect(credentialOf(sources({ cookie: 'k=E' }, { key: 'D' }), named)).toBe('D');
    expect(credentialOf(sources({ cookie: 'k=E' }), named)).toBe('E');
    expect(credentialOf(sources({ cookie: 'k=E' }, { key: 'D' }), {})).toBeUndefined();
    expect(credentialOf(sources({ 'x-api-key': 'B' }), {})).toBe('B');
    expect(credentialOf(sources({ authorization: 'Basic Zm9v' }), {})).toBeUndefined();
  });

  it('cookieValue', () => {
    expect(cookieValue('a=1; k=%20x; b=2', 'k')).toBe(' x');
    expect(cookieValue('kk=1', 'k')).toBeUndefined();
    expect(cookieValue('k="q"', 'k')).toBe('q');
    expect(cookieValue(undefined, 'k')).toBeUndefined();
  });
});
