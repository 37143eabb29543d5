import { NO_SCOPES, type CredentialRecord } from '../verify/record.js';
import { limitKeyOf, type Credential } from './credential.js';

/** Shared by every record whose list is empty (most are): cached records stay small. */
const NONE: readonly string[] = Object.freeze([]);
const listOrNone = (values: readonly string[]): readonly string[] => (values.length === 0 ? NONE : values);

/**
 * The credential as the verification path sees it. Records live in the credential cache (up to
 * CACHE_MAX_ENTRIES of them), so what is the same for most records is shared, not copied.
 */
export function recordOf(credential: Credential): CredentialRecord {
  const noResources = Object.keys(credential.resources).length === 0;
  return {
    id: credential.id,
    projectId: credential.projectId,
    kind: credential.kind,
    environment: credential.environment,
    publicId: credential.publicId,
    digest: credential.digest,
    name: credential.name,
    revokedAt: credential.revokedAt?.getTime() ?? null,
    enabled: credential.enabled,
    expiresAt: credential.expiresAt?.getTime() ?? null,
    scopes: credential.scopes.length === 0 && noResources ? NO_SCOPES : { global: listOrNone(credential.scopes), resources: credential.resources },
    ipAllowlist: listOrNone(credential.ipAllowlist),
    ipDenylist: listOrNone(credential.ipDenylist),
    rateLimit: credential.rateLimit,
    quota: credential.quota,
    credits: credential.credits,
    limitKey: limitKeyOf(credential),
    metadata: credential.metadata,
    ownerId: credential.ownerId,
  };
}
