import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseDatabaseUrl } from './database-url.js';

describe('parseDatabaseUrl', () => {
  it('postgres:// and postgresql:// URLs, shown without their user and password', () => {
    expect(parseDatabaseUrl('postgresql://app:s3cret@db.internal:5432/keys?sslmode=require')).toEqual({
      driver: 'postgres',
      url: 'postgresql://app:s3cret@db.internal:5432/keys?sslmode=require',
      shown: 'postgresql://db.internal:5432/keys',
    });
    expect(parseDatabaseUrl('postgres://localhost/keys').driver).toBe('postgres');
  });

  it('pglite:<directory>, relative to the working directory or absolute', () => {
    expect(parseDatabaseUrl('pglite:./keys-db', '/srv/app')).toEqual({ driver: 'pglite', dir: '/srv/app/keys-db', shown: 'pglite:/srv/app/keys-db' });
    expect(parseDatabaseUrl('pglite:/var/lib/keys', '/srv/app')).toMatchObject({ dir: '/var/lib/keys' });
    expect(parseDatabaseUrl('pglite:///var/lib/keys', '/srv/app')).toMatchObject({ dir: '/var/lib/keys' });
  });

  it('anything else is a usage error whose message holds no part of a password', () => {
    for (const url of ['mysql://app:s3cret@db/keys', 'pglite:', 'postgres://app:s3cret@', 'postgres://app:s3cret@[bad/keys', 'db.internal:5432', '']) {
      const error = (() => {
        try {
          parseDatabaseUrl(url);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error, url).toBeInstanceOf(UsageError);
      expect((error as Error).message, url).not.toContain('s3cret');
    }
  });
});
