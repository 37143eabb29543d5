import { displayPrefix, type CredentialType, type Environment } from '../keys/key-format.js';
import type { CredentialKind } from '../verify/record.js';
import { credentialStatus, type Credential, type CredentialStatus } from './credential.js';
import { policyView, type PolicyView } from './policy.js';

/** A credential as answers show it: never the secret, never the digest. */
export interface CredentialView extends PolicyView {
  id: string;
  label?: string | null;
  name?: string;
  prefix: string;
  environment: Environment;
  status: CredentialStatus;
  revoked: boolean;
  revokedAt: string | null;
  revokeReason: string | null;
  replacedBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

export interface IssuedCredential extends CredentialView {
  /** The plaintext credential: this is the only place it ever appears. */
  key: string;
  /** With a rotation overlap: when the previous credential stops working. */
  previousKeyExpiresAt?: string;
}

/** The string type of each kind: `sk_…` keys, `svc_…` services. The one map of it. */
export const CREDENTIAL_TYPE: Readonly<Record<CredentialKind, CredentialType>> = { key: 'sk', service: 'svc' };

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toCredentialView(credential: Credential, now: number): CredentialView {
  const status = credentialStatus(credential, now);
  const view: CredentialView = {
    id: credential.id,
    // A key of Unkey's format shows its start; it has no public id of its own.
    prefix: credential.keyFormat?.start ?? displayPrefix(CREDENTIAL_TYPE[credential.kind], credential.environment, credential.publicId),
    environment: credential.environment,
    status,
    revoked: status === 'revoked',
    revokedAt: iso(credential.revokedAt),
    revokeReason: credential.revokeReason,
    replacedBy: credential.replacedBy,
    createdAt: credential.createdAt.toISOString(),
    updatedAt: credential.updatedAt.toISOString(),
    lastUsedAt: iso(credential.lastUsedAt),
    ...policyView(credential),
  };
  if (credential.kind === 'service') view.name = credential.name ?? '';
  else view.label = credential.label;
  return view;
}

/** The fields an audit entry compares: the view minus what changes on its own. */
export function auditable(view: CredentialView): Record<string, unknown> {
  const { lastUsedAt: _l, updatedAt: _u, status: _s, revoked: _r, ...rest } = view;
  return rest;
}
