import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decide, type PolicyRequest } from './decide.js';
import { credentialRecord } from '../../test-support/credential-record.js';
import { NO_SCOPES, type CredentialKind, type CredentialRecord } from './record.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;

function record(overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return credentialRecord('AAAAAAAAAAAAAAAA', { id: 'cred_1', limitKey: 'cred_1', ...overrides });
}

const service = (overrides: Partial<CredentialRecord> = {}): CredentialRecord => record({ kind: 'service', name: 'billing', ...overrides });
const req = (overrides: Partial<PolicyRequest> = {}): PolicyRequest => ({ kind: 'key', now: NOW, ...overrides });

describe('decide: single outcomes', () => {
  it('accepts a plain record', () => {
    expect(decide(record(), req())).toEqual({ ok: true });
    expect(decide(service(), req({ kind: 'service' }))).toEqual({ ok: true });
  });

  it('answers invalid_key for an unknown credential', () => {
    expect(decide(null, req())).toEqual({ ok: false, outcome: 'invalid_key' });
    expect(decide(null, req({ kind: 'service' }))).toEqual({ ok: false, outcome: 'invalid_key' });
  });

  it('answers invalid_key when the record is of the other kind', () => {
    expect(decide(service(), req({ kind: 'key' }))).toEqual({ ok: false, outcome: 'invalid_key' });
    expect(decide(record(), req({ kind: 'service' }))).toEqual({ ok: false, outcome: 'invalid_key' });
  });

  it('answers key_revoked for a revoked key and service_revoked for a revoked service', () => {
    expect(decide(record({ revokedAt: NOW - HOUR }), req())).toEqual({ ok: false, outcome: 'key_revoked' });
    expect(decide(service({ revokedAt: NOW - HOUR }), req({ kind: 'service' }))).toEqual({ ok: false, outcome: 'service_revoked' });
  });

  it('counts revocation from the very millisecond of revokedAt', () => {
    expect(decide(record({ revokedAt: NOW }), req())).toMatchObject({ ok: false, outcome: 'key_revoked' });
    expect(decide(record({ revokedAt: NOW + 1 }), req())).toEqual({ ok: true });
  });

  it('keeps a credential valid until a future revokedAt (rotation overlap)', () => {
    const rotating = record({ revokedAt: NOW + HOUR });
    expect(decide(rotating, req())).toEqual({ ok: true });
    expect(decide(rotating, req({ now: NOW + HOUR - 1 }))).toEqual({ ok: true });
    expect(decide(rotating, req({ now: NOW + HOUR }))).toEqual({ ok: false, outcome: 'key_revoked' });
  });

  it('answers key_expired from expiresAt on, and not before', () => {
    expect(decide(record({ expiresAt: NOW }), req())).toEqual({ ok: false, outcome: 'key_expired' });
    expect(decide(record({ expiresAt: NOW - 1 }), req())).toEqual({ ok: false, outcome: 'key_expired' });
    expect(decide(record({ expiresAt: NOW + 1 }), req())).toEqual({ ok: true });
    expect(decide(service({ expiresAt: NOW - 1 }), req({ kind: 'service' }))).toEqual({ ok: false, outcome: 'key_expired' });
  });

  it('answers key_disabled for a disabled credential', () => {
    expect(decide(record({ enabled: false }), req())).toEqual({ ok: false, outcome: 'key_disabled' });
    expect(decide(service({ enabled: false }), req({ kind: 'service' }))).toEqual({ ok: false, outcome: 'key_disabled' });
  });
});

describe('decide: IP rules', () => {
  it('allows an address in the allow list and refuses one outside it', () => {
    const r = record({ ipAllowlist: ['203.0.113.0/24'] });
    expect(decide(r, req({ ip: '203.0.113.200' }))).toEqual({ ok: true });
    expect(decide(r, req({ ip: '203.0.114.1' }))).toEqual({ ok: false, outcome: 'ip_not_allowed' });
  });

  it('refuses when IP rules are set and the request names no address', () => {
    expect(decide(record({ ipAllowlist: ['203.0.113.0/24'] }), req())).toEqual({ ok: false, outcome: 'ip_not_allowed' });
    expect(decide(record({ ipDenylist: ['203.0.113.0/24'] }), req())).toEqual({ ok: false, outcome: 'ip_not_allowed' });
  });

  it('lets the deny list win inside an allowed range', () => {
    const r = record({ ipAllowlist: ['10.0.0.0/8'], ipDenylist: ['10.0.0.13'] });
    expect(decide(r, req({ ip: '10.0.0.13' }))).toEqual({ ok: false, outcome: 'ip_not_allowed' });
    expect(decide(r, req({ ip: '10.0.0.14' }))).toEqual({ ok: true });
  });

  it('handles IPv6 addresses and ranges', () => {
    const r = record({ ipAllowlist: ['2001:db8::/32', '::1'], ipDenylist: ['2001:db8:dead::/48'] });
    expect(decide(r, req({ ip: '2001:db8:1::5' }))).toEqual({ ok: true });
    expect(decide(r, req({ ip: '::1' }))).toEqual({ ok: true });
    expect(decide(r, req({ ip: '2001:db8:dead::5' }))).toEqual({ ok: false, outcome: 'ip_not_allowed' });
    expect(decide(r, req({ ip: '2001:db9::5' }))).toEqual({ ok: false, outcome: 'ip_not_allowed' });
    expect(decide(r, req({ ip: '127.0.0.1' }))).toEqual({ ok: false, outcome: 'ip_not_allowed' });
  });

  it('ignores the address when the credential has no IP rules', () => {
    expect(decide(record(), req({ ip: '198.51.100.1' }))).toEqual({ ok: true });
    expect(decide(record(), req({ ip: undefined }))).toEqual({ ok: true });
  });
});

describe('decide: scopes', () => {
  const scoped = record({
    scopes: { global: ['read:invoices', 'admin:*'], resources: { 'project:7': ['write:invoices'], 'project:9': ['*'] } },
  });

  it('accepts scopes granted globally', () => {
    expect(decide(scoped, req({ scopes: ['read:invoices'] }))).toEqual({ ok: true });
  });

  it('accepts scopes granted on the requested resource only when that resource is named', () => {
    expect(decide(scoped, req({ scopes: ['write:invoices'], resource: 'project:7' }))).toEqual({ ok: true });
    expect(decide(scoped, req({ scopes: ['write:invoices'], resource: 'project:8' }))).toEqual({
      ok: false,
      outcome: 'insufficient_scope',
      missingScopes: ['write:invoices'],
    });
    expect(decide(scoped, req({ scopes: ['write:invoices'] }))).toMatchObject({ outcome: 'insufficient_scope' });
  });

  it('honours the `admin:*` and `*` wildcards', () => {
    expect(decide(scoped, req({ scopes: ['admin:users', 'admin:keys:rotate'] }))).toEqual({ ok: true });
    expect(decide(scoped, req({ scopes: ['delete:everything'], resource: 'project:9' }))).toEqual({ ok: true });
    const all = record({ scopes: { global: ['*'], resources: {} } });
    expect(decide(all, req({ scopes: ['anything', 'at:all'] }))).toEqual({ ok: true });
  });

  it('lists every missing scope, in request order', () => {
    expect(decide(scoped, req({ scopes: ['write:users', 'read:invoices', 'delete:invoices', 'admin:x'] }))).toEqual({
      ok: false,
      outcome: 'insufficient_scope',
      missingScopes: ['write:users', 'delete:invoices'],
    });
  });

  it('accepts when no scopes are requested, even if the record has none', () => {
    expect(decide(record({ scopes: NO_SCOPES }), req())).toEqual({ ok: true });
    expect(decide(record({ scopes: NO_SCOPES }), req({ scopes: [] }))).toEqual({ ok: true });
    expect(decide(record({ scopes: NO_SCOPES }), req({ scopes: [], resource: 'project:1' }))).toEqual({ ok: true });
  });

  it('refuses requested scopes when the record has none', () => {
    expect(decide(record({ scopes: NO_SCOPES }), req({ scopes: ['read:a'] }))).toEqual({
      ok: false,
      outcome: 'insufficient_scope',
      missingScopes: ['read:a'],
    });
  });
});

describe('decide: which outcome is reported when several apply', () => {
  it('kind before everything: a revoked service record at the key endpoint is invalid_key', () => {
    expect(decide(service({ revokedAt: NOW - 1, enabled: false }), req({ kind: 'key' }))).toEqual({ ok: false, outcome: 'invalid_key' });
  });

  it('revoked before expired', () => {
    expect(decide(record({ revokedAt: NOW - 1, expiresAt: NOW - 1 }), req())).toEqual({ ok: false, outcome: 'key_revoked' });
    expect(decide(service({ revokedAt: NOW - 1, expiresAt: NOW - HOUR }), req({ kind: 'service' }))).toEqual({
      ok: false,
      outcome: 'service_revoked',
    });
  });

  it('expired before disabled', () => {
    expect(decide(record({ expiresAt: NOW - 1, enabled: false }), req())).toEqual({ ok: false, outcome: 'key_expired' });
  });

  it('disabled before a denied IP', () => {
    expect(decide(record({ enabled: false, ipDenylist: ['192.0.2.1'] }), req({ ip: '192.0.2.1' }))).toEqual({
      ok: false,
      outcome: 'key_disabled',
    });
  });

  it('IP before scopes', () => {
    expect(decide(record({ ipAllowlist: ['192.0.2.1'] }), req({ ip: '192.0.2.2', scopes: ['read:a'] }))).toEqual({
      ok: false,
      outcome: 'ip_not_allowed',
    });
  });

  it('reports the first failing check in the documented order, for any combination (property)', () => {
    const order = ['kind', 'revoked', 'expired', 'disabled', 'ip', 'scope'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom<CredentialKind>('key', 'service'),
        fc.record({ kind: fc.boolean(), revoked: fc.boolean(), expired: fc.boolean(), disabled: fc.boolean(), ip: fc.boolean(), scope: fc.boolean() }),
        fc.boolean(),
        (kind, failing, unknown) => {
          const r = record({
            kind: failing.kind ? (kind === 'key' ? 'service' : 'key') : kind,
            revokedAt: failing.revoked ? NOW - 1 : NOW + HOUR,
            expiresAt: failing.expired ? NOW : NOW + HOUR,
            enabled: !failing.disabled,
            ipAllowlist: ['192.0.2.0/24'],
            ipDenylist: ['192.0.2.66'],
            scopes: { global: ['read:a'], resources: {} },
          });
          const decision = decide(unknown ? null : r, {
            kind,
            now: NOW,
            ip: failing.ip ? '192.0.2.66' : '192.0.2.1',
            scopes: failing.scope ? ['read:a', 'write:a'] : ['read:a'],
          });
          const first = unknown ? 'kind' : order.find((check) => failing[check]);
          const expected =
            first === undefined
              ? { ok: true }
              : {
                  ok: false,
                  outcome: {
                    kind: 'invalid_key',
                    revoked: kind === 'service' ? 'service_revoked' : 'key_revoked',
                    expired: 'key_expired',
                    disabled: 'key_disabled',
                    ip: 'ip_not_allowed',
                    scope: 'insufficient_scope',
                  }[first],
                  ...(first === 'scope' ? { missingScopes: ['write:a'] } : {}),
                };
          expect(decision).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
