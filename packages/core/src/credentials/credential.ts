import type { Environment } from '../keys/key-format.js';
import type { UnkeyFormat } from '../keys/unkey-format.js';
import type { CreditsPolicy, CredentialKind, QuotaPolicy, RateLimitPolicy } from '../verify/record.js';

/**
 * A stored credential (API key or service identity) as the engine's verbs see it: every column
 * of the store, times as `Date`. The digest is here because the store holds it; no view or
 * audit entry ever shows it.
 */
export interface Credential {
  id: string;
  projectId: string;
  kind: CredentialKind;
  environment: Environment;
  publicId: string;
  digest: string;
  /** API keys have a label, services a name. */
  label: string | null;
  name: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  /** In the future during a rotation's overlap: still valid until then. */
  revokedAt: Date | null;
  revokeReason: string | null;
  /** The credential that replaced this one through rotation. */
  replacedBy: string | null;
  enabled: boolean;
  expiresAt: Date | null;
  scopes: string[];
  resources: Record<string, string[]>;
  ipAllowlist: string[];
  ipDenylist: string[];
  rateLimit: RateLimitPolicy | null;
  quota: QuotaPolicy | null;
  credits: CreditsPolicy | null;
  metadata: Record<string, unknown> | null;
  tags: string[];
  ownerId: string | null;
  /** Names the counters of rate limit, quota and credits; null means the credential's own id. */
  limitKey: string | null;
  /** Keys of Unkey's format (issued through `/v2` or imported by hash); null for Elyzor's own. */
  keyFormat: UnkeyFormat | null;
}

/** The policy fields of a credential: what create and update set. */
export type CredentialPolicy = Pick<
  Credential,
  'enabled' | 'expiresAt' | 'scopes' | 'resources' | 'ipAllowlist' | 'ipDenylist' | 'rateLimit' | 'quota' | 'credits' | 'metadata' | 'tags' | 'ownerId'
>;

/** What a store needs to insert a credential; it assigns `id`, `createdAt` and `updatedAt`. */
export type NewCredential = Pick<Credential, 'projectId' | 'kind' | 'environment' | 'publicId' | 'digest' | 'label' | 'name'> & Partial<CredentialPolicy> & { keyFormat?: UnkeyFormat | null };

/** Columns a verb may change on an existing credential. */
export type CredentialPatch = Partial<CredentialPolicy & Pick<Credential, 'label' | 'name' | 'revokedAt' | 'revokeReason' | 'replacedBy'>>;

export type CredentialStatus = 'active' | 'disabled' | 'expired' | 'revoked';

/** Every status, in the order a credential is reported as it: the first that applies wins. */
export const CREDENTIAL_STATUSES: readonly CredentialStatus[] = ['revoked', 'expired', 'disabled', 'active'];

/** Times in ms since the epoch: the verification path's records carry them so. */
export interface StatusFields {
  revokedAt: number | null;
  expiresAt: number | null;
  enabled: boolean;
}

/**
 * The status a credential has at `now`: revoked, then expired, then disabled, else active. The
 * one definition of it: views show it, the verification decision refuses in its order, and the
 * stores' list filters are held equal to it by the store contract suite.
 */
export function statusOf(credential: StatusFields, now: number): CredentialStatus {
  if (credential.revokedAt !== null && credential.revokedAt <= now) return 'revoked';
  if (credential.expiresAt !== null && credential.expiresAt <= now) return 'expired';
  if (!credential.enabled) return 'disabled';
  return 'active';
}

/** `statusOf` for a stored credential. */
export const credentialStatus = (credential: Credential, now: number): CredentialStatus =>
  statusOf({ revokedAt: credential.revokedAt?.getTime() ?? null, expiresAt: credential.expiresAt?.getTime() ?? null, enabled: credential.enabled }, now);

/** The counters' name: shared by a credential and every rotation of it. */
export const limitKeyOf = (credential: Pick<Credential, 'id' | 'limitKey'>): string => credential.limitKey ?? credential.id;
