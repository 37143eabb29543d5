/**
 * True when `expiresAt` is set and not in the future. An unparseable date never expires, as in
 * keypal (`new Date('junk') <= now` is false).
 */
export function isExpired(expiresAt: string | null | undefined, now: number = Date.now()): boolean {
  if (expiresAt === null || expiresAt === undefined || expiresAt === '') return false;
  const at = new Date(expiresAt).getTime();
  return !Number.isNaN(at) && at <= now;
}

export function getExpirationTime(expiresAt: string | null | undefined): Date | null {
  return expiresAt === null || expiresAt === undefined || expiresAt === '' ? null : new Date(expiresAt);
}

/** A revocation takes effect at `revokedAt`; a time in the future is a rotation's grace period. */
export function isRevoked(revokedAt: string | null | undefined, now: number): boolean {
  if (revokedAt === null || revokedAt === undefined || revokedAt === '') return false;
  const at = new Date(revokedAt).getTime();
  // keypal treats any revokedAt as revoked; an unreadable one stays revoked here too.
  return Number.isNaN(at) || at <= now;
}
