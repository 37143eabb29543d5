import { createHmac } from 'node:crypto';
import { BASE62 } from '@elyzor/core';

/**
 * The chain of refresh tokens of one session, and what a retired token presented again means.
 *
 * A session's first refresh token is drawn from the CSPRNG; each next one is derived from the
 * token it replaces: `successor(T) = base62(HMAC-SHA-256(K, T))`, with `K` derived from
 * `JWT_SECRET`. A client that retries a refresh whose answer it lost presents T again; the
 * server recomputes the very successor it issued (whose digest it stored) and hands it back,
 * without ever storing a plaintext token. Nothing random is lost: T itself carried 256 bits
 * from the CSPRNG, and without K its successor is as unpredictable as a fresh draw (HMAC is a
 * PRF), so only a holder of T — who could refresh with T anyway — learns it.
 */

export const REFRESH_TOKEN_LENGTH = 43;
export const REFRESH_TOKEN = /^[0-9A-Za-z]{43}$/;

const RADIX = BigInt(BASE62.length);

/** The successor key, apart from the access-token signing key although derived from the same secret. */
export function successorKey(jwtSecret: string): Buffer {
  return createHmac('sha256', jwtSecret).update('elyzor refresh-token successor v1').digest();
}

/** 256 bits in 43 base62 characters (62^43 > 2^256), left-padded with '0': a refresh token's format. */
function base62Of(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE62.charAt(Number(n % RADIX)) + out;
    n /= RADIX;
  }
  return out.padStart(REFRESH_TOKEN_LENGTH, '0');
}

/** The refresh token that follows `token` in its session. */
export function successorOf(key: Buffer, token: string): string {
  return base62Of(createHmac('sha256', key).update(token).digest());
}

/** What the store knows of the token that followed a retired one. */
export interface SuccessorState {
  rotatedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
}

/**
 * A token that was already exchanged comes back. Within `graceMs` of its retirement, and while
 * its successor is still the session's live token, it is the client retrying a refresh whose
 * answer it lost: it gets that same successor again (`reissue`). Otherwise — later, or the
 * successor was exchanged in turn (the client moved on, so this token is two generations old),
 * or the session ended — it is a `replay` of a copied token.
 */
export function retiredTokenOutcome(input: { retiredAt: Date; now: number; graceMs: number; successor: SuccessorState | undefined }): 'reissue' | 'replay' {
  const { retiredAt, now, graceMs, successor } = input;
  if (now - retiredAt.getTime() >= graceMs) return 'replay';
  if (successor === undefined || successor.rotatedAt !== null || successor.revokedAt !== null) return 'replay';
  if (successor.expiresAt.getTime() <= now) return 'replay';
  return 'reissue';
}
