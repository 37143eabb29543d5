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

  /** The claims of a valid token, or null for anything forged, expired or malformed. */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      const userId = b64ToUuid(payload.sub ?? '');
      if (userId === null || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return null;
      return { userId, jti: payload.jti, exp: payload.exp };
    } catch {
      return null;
    }
  }
}
