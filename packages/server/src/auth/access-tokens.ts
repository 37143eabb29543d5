import { randomBase62 } from '@elyzor/core';
import { SignJWT, jwtVerify } from 'jose';

/**
 * Access tokens: HS256 JWTs, short-lived, each with a `jti`. Verification pins the algorithm to
 * HS256, so `alg: none`, HS512, RS256-with-the-secret-as-key and friends are all refused.
 *
 * Tokens are kept compact (no `typ` header, the user's UUID as 22 base64url characters) so that
 * `Authorization: Bearer <token>` stays under the 200-character header cap.
 */
export interface AccessClaims {
  userId: string;
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
}

/** How far ahead of this instance's clock an `iat` may be (clocks of instances drift apart). */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * A `jti` as a denylist key may hold it: short and URL-safe. Ours are 16 base62 characters; a
 * NUL or a lone surrogate would fail the SQL denylist with a 500 instead of a 401.
 */
const JTI = /^[A-Za-z0-9_-]{16,64}$/;

const wholeSeconds = (value: unknown): value is number => Number.isSafeInteger(value);

export function uuidToB64(uuid: string): string {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex').toString('base64url');
}

export function b64ToUuid(text: string): string | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(text)) return null;
  const hex = Buffer.from(text, 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /**
   * A new access token, issued now or at `issuedAt` (ms). Given the `jti` and issue time of a
   * token issued before, it is that same token again: HS256 over the same claims is the same
   * string. A retried refresh thus gets back the access token whose answer it lost, and no access
   * token exists that its session's row does not name (logout and session wipes deny by that `jti`).
   */
  async issue(userId: string, at: { jti?: string; issuedAt?: number } = {}): Promise<{ token: string; jti: string; expiresAt: Date }> {
    const jti = at.jti ?? randomBase62(16);
    const iat = Math.floor((at.issuedAt ?? this.now()) / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(uuidToB64(userId))
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, jti, expiresAt: new Date(exp * 1000) };
  }

  /**
   * The claims of a valid token, or null for anything forged, expired or malformed. Beyond the
   * signature and expiry, the claims must be ones this class writes: whole seconds, an `iat` not
   * in the future (up to MAX_CLOCK_SKEW_SECONDS), a lifetime no longer than the configured one
   * (so `exp` is always a date), and a clean `jti`. A token signed with the secret but carrying
   * anything else is refused like a forged one, never passed on to the denylist.
   */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const now = this.now();
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(now),
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      const { sub, jti, exp, iat } = payload;
      const userId = b64ToUuid(sub ?? '');
      if (userId === null || typeof jti !== 'string' || !JTI.test(jti)) return null;
      if (!wholeSeconds(exp) || !wholeSeconds(iat)) return null;
      if (iat > Math.floor(now / 1000) + MAX_CLOCK_SKEW_SECONDS || exp - iat > this.ttlSeconds) return null;
      return { userId, jti, exp };
    } catch {
      return null;
    }
  }
}
