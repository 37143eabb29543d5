import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { missingScopes, scopeCovers } from './scopes.js';
import { NO_SCOPES, type ScopeGrants } from './record.js';

/** Scope-like strings without wildcards: `part:part` and plain words. */
const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,9}$/);
const plainScope = fc.oneof(
  segment,
  fc.tuple(segment, segment).map(([a, b]) => `${a}:${b}`),
  fc.tuple(segment, segment, segment).map(([a, b, c]) => `${a}:${b}:${c}`),
);
const anyScope = fc.string({ maxLength: 30 });

const grants = (global: string[], resources: Record<string, string[]> = {}): ScopeGrants => ({ global, resources });

describe('scopeCovers', () => {
  it('covers itself (property)', () => {
    fc.assert(
      fc.property(anyScope, (s) => {
        expect(scopeCovers(s, s)).toBe(true);
      }),
    );
  });

  it('`*` covers everything (property)', () => {
    fc.assert(
      fc.property(anyScope, (s) => {
        expect(scopeCovers('*', s)).toBe(true);
      }),
    );
  });

  it('never lets distinct scopes without wildcards cover each other (property)', () => {
    fc.assert(
      fc.property(plainScope, plainScope, (a, b) => {
        fc.pre(a !== b);
        expect(scopeCovers(a, b)).toBe(false);
        expect(scopeCovers(b, a)).toBe(false);
      }),
    );
  });

  it('`<part>:*` covers exactly the scopes that start with `<part>:` (property)', () => {
    fc.assert(
      fc.property(segment, plainScope, (part, required) => {
        expect(scopeCovers(`${part}:*`, required)).toBe(required.startsWith(`${part}:`));
        expect(scopeCovers(`${part}:*`, `${part}:${required}`)).toBe(true);
      }),
    );
  });

  it('handles `admin:*` and its near misses', () => {
    expect(scopeCovers('admin:*', 'admin:users')).toBe(true);
    expect(scopeCovers('admin:*', 'admin:users:delete')).toBe(true);
    expect(scopeCovers('admin:*', 'admin')).toBe(false);
    expect(scopeCovers('admin:*', 'administrator:users')).toBe(false);
    expect(scopeCovers('admin:*', 'adminx:users')).toBe(false);
    expect(scopeCovers('admin:*', 'read:admin')).toBe(false);
    expect(scopeCovers('admin:*', '*')).toBe(false);
    expect(scopeCovers('admin:*', 'ADMIN:users')).toBe(false);
  });

  it('does not treat a shorter scope as a prefix grant', () => {
    expect(scopeCovers('read', 'read:invoices')).toBe(false);
    expect(scopeCovers('read:inv', 'read:invoices')).toBe(false);
    expect(scopeCovers('read:invoices', 'read:invoices:all')).toBe(false);
  });

  it('only honours `*` as a whole grant or as a trailing `:*`', () => {
    expect(scopeCovers('read*', 'read:invoices')).toBe(false);
    expect(scopeCovers('*:invoices', 'read:invoices')).toBe(false);
    expect(scopeCovers('read:*:x', 'read:a:x')).toBe(false);
    expect(scopeCovers('', 'read:invoices')).toBe(false);
    // A required scope that happens to contain `*` is not a wildcard on the required side.
    expect(scopeCovers('read:invoices', 'read:*')).toBe(false);
    expect(scopeCovers('read:invoices', '*')).toBe(false);
  });
});

describe('missingScopes', () => {
  it('returns nothing when nothing is requested', () => {
    expect(missingScopes(NO_SCOPES, [])).toEqual([]);
    expect(missingScopes(grants(['read:a']), [], 'project:1')).toEqual([]);
  });

  it('returns every requested scope when nothing is granted, in request order', () => {
    expect(missingScopes(NO_SCOPES, ['write:b', 'read:a'])).toEqual(['write:b', 'read:a']);
  });

  it('honours global grants with or without a resource', () => {
    const g = grants(['read:invoices', 'admin:*']);
    expect(missingScopes(g, ['read:invoices', 'admin:users'])).toEqual([]);
    expect(missingScopes(g, ['read:invoices', 'admin:users'], 'project:1')).toEqual([]);
    expect(missingScopes(g, ['read:invoices', 'write:invoices', 'admin:users'])).toEqual(['write:invoices']);
  });

  it('honours grants on the requested resource only', () => {
    const g = grants(['read:invoices'], { 'project:1': ['write:invoices'], 'project:2': ['*'] });
    expect(missingScopes(g, ['read:invoices', 'write:invoices'], 'project:1')).toEqual([]);
    expect(missingScopes(g, ['read:invoices', 'write:invoices'], 'project:3')).toEqual(['write:invoices']);
    expect(missingScopes(g, ['read:invoices', 'write:invoices'])).toEqual(['write:invoices']);
    expect(missingScopes(g, ['delete:anything', 'x'], 'project:2')).toEqual([]);
    expect(missingScopes(g, ['delete:anything'], 'project:1')).toEqual(['delete:anything']);
  });

  it('combines global and resource grants per scope', () => {
    const g = grants(['read:*'], { doc: ['write:doc'] });
    expect(missingScopes(g, ['read:doc', 'write:doc', 'delete:doc'], 'doc')).toEqual(['delete:doc']);
  });

  it('treats resource names that are Object.prototype members as resources without grants', () => {
    const g = grants(['read:a'], { 'project:1': ['write:a'] });
    for (const resource of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(() => missingScopes(g, ['read:a', 'write:a'], resource), resource).not.toThrow();
      expect(missingScopes(g, ['read:a', 'write:a'], resource), resource).toEqual(['write:a']);
    }
  });

  it('still honours a resource literally named like a prototype member when it is granted', () => {
    const g: ScopeGrants = { global: [], resources: JSON.parse('{"__proto__":["read:a"],"constructor":["write:a"]}') as Record<string, string[]> };
    expect(missingScopes(g, ['read:a', 'write:a'], '__proto__')).toEqual(['write:a']);
    expect(missingScopes(g, ['read:a', 'write:a'], 'constructor')).toEqual(['read:a']);
  });

  it('reports exactly the scopes no grant covers (property against a direct model)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(plainScope, segment.map((s) => `${s}:*`), fc.constant('*')), { maxLength: 5 }),
        fc.array(plainScope, { maxLength: 5 }),
        fc.array(plainScope, { maxLength: 8 }),
        fc.boolean(),
        (global, onResource, requested, withResource) => {
          const g = grants(global, { res: onResource });
          const resource = withResource ? 'res' : undefined;
          const pool = withResource ? [...global, ...onResource] : global;
          const expected = requested.filter((r) => !pool.some((p) => p === '*' || p === r || (p.endsWith(':*') && r.startsWith(p.slice(0, -1)))));
          expect(missingScopes(g, requested, resource)).toEqual(expected);
        },
      ),
    );
  });
});
