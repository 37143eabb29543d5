import { createHmac, hash } from 'node:crypto';

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

/** 1 for a character code that is not a hex digit (0-9, a-f, A-F), else 0; for codes < 128. */
const NOT_HEX = Uint8Array.from({ length: 128 }, (_, code) => (/^[0-9a-fA-F]$/.test(String.fromCharCode(code)) ? 0 : 1));

/**
 * Constant-time comparison of two hex digests; false (not a throw) when lengths differ or either
 * side is not valid hex. The strings are compared character by character, in one pass without an
 * early exit, rather than decoded: decoding both sides into buffers on every verification cost
 * more than the rest of the comparison (two allocations and two hex decodings per request).
 * Equal strings are equal digests only if they are hex, so `a` alone is checked for hex (it is
 * the digest of what was presented, nothing secret); an odd length is never a digest.
 */
export function digestsEqual(a: string, b: string): boolean {
  const length = a.length;
  if (length !== b.length || length % 2 !== 0) return false;
  let diff = 0;
  for (let i = 0; i < length; i++) {
    const code = a.charCodeAt(i);
    diff |= (code ^ b.charCodeAt(i)) | (code < 128 ? (NOT_HEX[code] as number) : 1);
  }
  return diff === 0;
}
