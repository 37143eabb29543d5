import type { CredentialKind, CredentialRecord, ScopeGrants } from './record.js';
import type { VerifyOutcome } from './outcome.js';
import { statusOf } from '../credentials/credential.js';
import { ipAllowed } from './ip-rules.js';
import { missingScopes } from './scopes.js';

export interface PolicyRequest {
  /** Which endpoint asked: API keys and service identities never cross. */
  kind: CredentialKind;
  now: number;
  scopes?: readonly string[] | undefined;
  resource?: string | undefined;
  ip?: string | undefined;
  /** A permission query beyond a list of scopes (Unkey's `A AND (B OR C)`), asked of the granted scopes. */
  permits?: ((granted: ScopeGrants) => boolean) | undefined;
}

export type PolicyDecision =
  | { ok: true }
  | { ok: false; outcome: Exclude<VerifyOutcome, 'valid' | 'rate_limit_exceeded' | 'quota_exceeded'>; missingScopes?: string[] };

/**
 * The pure policy decision, before any limit is spent. Checks run in a fixed order and the first
 * failing one is reported:
 *   unknown / other kind → revoked → expired → disabled → IP rules → scopes
 * A revoked key is reported as revoked even when it has also expired; the caller learns the
 * strongest reason first, and a key that cannot pass never spends rate limit or quota.
 */
export function decide(record: CredentialRecord | null, request: PolicyRequest): PolicyDecision {
  if (record === null || record.kind !== request.kind) return { ok: false, outcome: 'invalid_key' };
  switch (statusOf(record, request.now)) {
    case 'revoked':
      return { ok: false, outcome: record.kind === 'service' ? 'service_revoked' : 'key_revoked' };
    case 'expired':
      return { ok: false, outcome: 'key_expired' };
    case 'disabled':
      return { ok: false, outcome: 'key_disabled' };
    case 'active':
      break;
  }
  if (!ipAllowed(request.ip, record.ipAllowlist, record.ipDenylist)) return { ok: false, outcome: 'ip_not_allowed' };
  if (request.scopes !== undefined && request.scopes.length > 0) {
    const missing = missingScopes(record.scopes, request.scopes, request.resource);
    if (missing.length > 0) return { ok: false, outcome: 'insufficient_scope', missingScopes: missing };
  }
  if (request.permits !== undefined && !request.permits(record.scopes)) return { ok: false, outcome: 'insufficient_scope' };
  return { ok: true };
}
