import { describe, expect, it } from 'vitest';
import { modeOf } from './mode.js';

describe('modeOf', () => {
  it('--db-url, else DATABASE_URL, is local; --project, else ELYZOR_PROJECT, remote', () => {
    expect(modeOf({ dbUrl: 'postgres://h/db' }, {})).toMatchObject({ local: { driver: 'postgres' } });
    expect(modeOf({}, { DATABASE_URL: 'postgres://h/db', ELYZOR_PROJECT: 'p' })).toMatchObject({ local: { driver: 'postgres' } });
    expect(modeOf({ project: 'p1' }, {})).toEqual({ remote: 'p1' });
    expect(modeOf({}, { ELYZOR_PROJECT: 'p2' })).toEqual({ remote: 'p2' });
  });

  it('an explicit flag beats the other mode\'s variable; an empty variable is none', () => {
    expect(modeOf({ project: 'p1' }, { DATABASE_URL: 'postgres://h/db' })).toEqual({ remote: 'p1' });
    expect(modeOf({ dbUrl: 'pglite:./d' }, { ELYZOR_PROJECT: 'p2' })).toMatchObject({ local: { driver: 'pglite' } });
    expect(modeOf({}, { DATABASE_URL: ' ', ELYZOR_PROJECT: 'p2' })).toEqual({ remote: 'p2' });
  });

  it('both flags, neither mode, or local options without a database: usage errors', () => {
    expect(() => modeOf({ dbUrl: 'pglite:./d', project: 'p' }, {})).toThrow(/exclude each other/);
    expect(() => modeOf({}, {})).toThrow(/--db-url <url> or DATABASE_URL/);
    expect(() => modeOf({ table: 'keys', project: 'p' }, {})).toThrow(/for local mode/);
    expect(() => modeOf({ secretLength: 32 }, { ELYZOR_PROJECT: 'p' })).toThrow(/for local mode/);
  });
});
