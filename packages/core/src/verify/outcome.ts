/**
 * Every answer a verification can give. `valid` is 200; the rest map to the statuses below.
 * The order of checks, and so which one is reported when several apply, is fixed by `decide`.
 */
export const VERIFY_STATUS = {
  valid: 200,
  invalid_key: 401,
  key_revoked: 403,
  service_revoked: 403,
  key_expired: 403,
  key_disabled: 403,
  ip_not_allowed: 403,
  insufficient_scope: 403,
  rate_limit_exceeded: 429,
  quota_exceeded: 429,
} as const;

export type VerifyOutcome = keyof typeof VERIFY_STATUS;
