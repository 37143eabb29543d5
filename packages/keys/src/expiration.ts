import { statusOf } from '@elyzor/core';

/**
 * A key's expiry and revocation are decided by the engine's `statusOf`, the rule the service's
 * lists, verification and answers share: revoked once `revokedAt` has come (a time in the future
 * is a rotation's grace period), expired once `expiresAt` has come. This file only reads keypal's
 * stored strings into the engine's times, where keypal's readings of bad input are its own:
 *
 * - an unparseable `expiresAt` never expires (keypal: `new Date('junk') <= now` is false);
 * - an unparseable `revokedAt` is revoked (keypal treats any `revokedAt` as revoked).
 *
 * The engine's full order (revoked, then expired, then disabled) is not used as one answer:
 * `verify` refuses in keypal's order (expired, then revoked, then disabled), so that a key both
 * expired and revoked keeps answering EXPIRED, as under keypal; it asks each predicate in turn.
 */
const unset = (at: string | null | undefined): at is null | undefined | '' => at === null || at === undefined || at === '';

function expiryTime(expiresAt: string | null | undefined): number | null {
  if (unset(expiresAt)) return null;
  const at = new Date(expiresAt).getTime();
  return Number.isNaN(at) ? null : at;
}

function revokedTime(revokedAt: string | null | undefined): number | null {
  if (unset(revokedAt)) return null;
  const at = new Date(revokedAt).getTime();
  return Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at;
}

/** True when `expiresAt` is set and not in the future (an unparseable date never expires, as in keypal). */
export function isExpired(expiresAt: string | null | undefined, now: number = Date.now()): boolean {
  return statusOf({ revokedAt: null, expiresAt: expiryTime(expiresAt), enabled: true }, now) === 'expired';
}

export function getExpirationTime(expiresAt: string | null | undefined): Date | null {
  return unset(expiresAt) ? null : new Date(expiresAt);
}

/** A revocation takes effect at `revokedAt`; a time in the future is a rotation's grace period. */
export function isRevoked(revokedAt: string | null | undefined, now: number): boolean {
  return statusOf({ revokedAt: revokedTime(revokedAt), expiresAt: null, enabled: true }, now) === 'revoked';
}
