import type { Key } from '@elyzor/sdk';
import { cleanup, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialsTable, matches } from '../src/components/credentials-table';

afterEach(cleanup);

const key = (over: Partial<Key>): Key => ({
  id: '11111111-1111-4111-8111-111111111111',
  label: 'Acme production',
  prefix: 'sk_live_abc123',
  environment: 'live',
  status: 'active',
  revoked: false,
  revokedAt: null,
  revokeReason: null,
  replacedBy: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
  scopes: [],
  resources: {},
  expiresAt: null,
  enabled: true,
  metadata: null,
  tags: ['acme'],
  ownerId: 'cus_42',
  ipAllowlist: [],
  ipDenylist: [],
  rateLimit: null,
  quota: null,
  credits: null,
  ...over,
});

describe('the credentials table', () => {
  it('one row per credential: its name linking to its page, prefix, status, environment, tags, owner', () => {
    const rows = [key({}), key({ id: '22222222-2222-4222-8222-222222222222', label: null, prefix: 'sk_test_zz9', environment: 'test', status: 'revoked', tags: [], ownerId: null })];
    render(
      <MemoryRouter>
        <CredentialsTable rows={rows} base="/projects/p1/keys" />
      </MemoryRouter>,
    );
    const body = screen.getAllByRole('rowgroup')[1];
    if (body === undefined) throw new Error('no table body');
    const [first, second] = within(body).getAllByRole('row');
    if (first === undefined || second === undefined) throw new Error('two rows expected');
    expect(within(first).getByRole('link', { name: 'Acme production' }).getAttribute('href')).toBe('/projects/p1/keys/11111111-1111-4111-8111-111111111111');
    expect(within(first).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Acme production', 'sk_live_abc123', 'active', 'live', 'acme', 'cus_42', 'never']);
    expect(within(second).getAllByRole('cell').map((c) => c.textContent).slice(0, 4)).toEqual(['(no label)', 'sk_test_zz9', 'revoked', 'test']);
  });

  it('the search matches the name, prefix, id, owner and tags, case-insensitively', () => {
    const k = key({});
    for (const needle of ['acme PROD', 'abc123', '1111-4111', 'cus_4', 'ACME', '']) expect(matches(k, needle), needle).toBe(true);
    expect(matches(k, 'globex')).toBe(false);
  });
});
