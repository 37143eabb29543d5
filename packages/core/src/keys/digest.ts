import { createHmac, hash, timingSafeEqual } from 'node:crypto';

/**
 * The stored form of a credential: SHA-256 of the whole credential string, or HMAC-SHA-256 with
 * a server-side pepper when one is configured (a stolen database then cannot be used to test
 * guesses offline). Hex-encoded, 64 characters.
 */
export type Digester = (token: string) => string;

export function createDigester(pepper?: string): Digester {
  if (pepper !== undefined && pepper !== '') {
    return (token) => createHmac('sha256', pepper).update(token).digest('hex');
  }
  // One-shot hashing: no Hash object (a native object with a handle of its own) per digest.
  return (token) => hash('sha256', token, 'hex');
}

/**
 * Constant-time comparison of two hex digests; false (not a throw) when lengths differ or either
 * side is not valid hex (Buffer's hex decoding stops at the first bad character, so it must not
 * be trusted to have decoded the whole string).
 */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  if (x.length * 2 !== a.length || y.length * 2 !== b.length) return false;
  return timingSafeEqual(x, y);
}
