import { createHash, randomBytes } from 'node:crypto';
import { BASE62, generateCredential, parseCredential, randomBase62 } from '@elyzor/core';

/** keypal's default alphabet (the same 62 characters as Elyzor's base62, in another order). */
export const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const DEFAULT_LENGTH = 32;

export type HashAlgorithm = 'sha256' | 'sha512';

/**
 * `length` characters drawn uniformly from `alphabet` with the CSPRNG. Base62 goes through
 * core's generator; any other alphabet by rejection sampling over the largest multiple of its
 * size that fits in a byte, so that no character is more likely than another.
 */
export function randomString(alphabet: string, length: number): string {
  if (isBase62(alphabet)) return randomBase62(length);
  const size = alphabet.length;
  const limit = 256 - (256 % size);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(Math.ceil((length - out.length) * 1.3) + 8)) {
      if (byte >= limit) continue;
      out += alphabet[byte % size];
      if (out.length === length) break;
    }
  }
  return out;
}

const sortedBase62 = [...BASE62].sort().join('');
function isBase62(alphabet: string): boolean {
  return alphabet.length === 62 && [...alphabet].sort().join('') === sortedBase62;
}

export interface KeyFormat {
  generate(): string;
  /** False when a presented key cannot be one of ours; verify answers INVALID_FORMAT offline. */
  accepts(key: string): boolean;
}

/**
 * The longest key `verify` will hash. The library issues at most 256 characters after the
 * prefix; anything much longer is not one of its keys, and hashing megabytes per request would be
 * a cheap way to burn CPU.
 */
export const MAX_PRESENTED_KEY = 1024;

/** keypal's format: prefix + random characters. Only the prefix (and a sane length) can be checked offline. */
export function keypalFormat(prefix: string, alphabet: string, length: number): KeyFormat {
  return {
    generate: () => prefix + randomString(alphabet, length),
    accepts: (key) => key.length <= MAX_PRESENTED_KEY + prefix.length && (prefix === '' || key.startsWith(prefix)),
  };
}

/** Elyzor's checksummed format, `sk_live_<id>.<secret>`: a mistyped key fails its CRC offline. */
export function elyzorFormat(environment: 'live' | 'test'): KeyFormat {
  return {
    generate: () => generateCredential('sk', environment).token,
    accepts: (key) => {
      const parsed = parseCredential(key);
      return parsed !== null && parsed.type === 'sk' && parsed.environment === environment;
    },
  };
}

export type Hasher = (key: string) => string;

/**
 * keypal's hashing, exactly, so that its stored digests verify here: the hex digest of the whole
 * key, followed (when a salt is configured) by the SHA-256 hex of the salt.
 */
export function createHasher(algorithm: HashAlgorithm, salt: string | undefined): Hasher {
  const suffix = salt === undefined || salt === '' ? '' : createHash('sha256').update(salt).digest('hex');
  return (key) => createHash(algorithm).update(suffix === '' ? key : key + suffix).digest('hex');
}
