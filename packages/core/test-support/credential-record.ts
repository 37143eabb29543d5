import { NO_SCOPES, type CredentialRecord } from '../src/verify/record.js';

/**
 * A credential record for tests: an enabled live API key with no policy of its own, named by
 * its public id. Tests state only what they are about in `overrides`.
 */
export function credentialRecord(publicId: string, overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  const id = `cred_${publicId}`;
  return {
    id,
    projectId: 'proj_1',
    kind: 'key',
    environment: 'live',
    publicId,
    digest: '0'.repeat(64),
    name: null,
    revokedAt: null,
    enabled: true,
    expiresAt: null,
    scopes: NO_SCOPES,
    ipAllowlist: [],
    ipDenylist: [],
    rateLimit: null,
    quota: null,
    credits: null,
    limitKey: id,
    metadata: null,
    ownerId: null,
    ...overrides,
  };
}
