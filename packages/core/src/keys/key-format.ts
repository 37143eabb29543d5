import { crc32 } from 'node:zlib';
import { BASE62, encodeBase62, randomBase62 } from './base62.js';

/**
 * Credential strings: `<type>_<environment>_<publicId>.<secret>`
 *
 *   sk_live_4Fq9Tz0bKx2Lm7Qa.<43 random base62 chars><6-char checksum>
 *
 * - `type` is `sk` (API key, for external clients), `svc` (service identity) or `rk` (root key:
 *   a machine's credential for the management API). They never cross: each verify endpoint
 *   accepts one type only, and the management API accepts only `rk`.
 * - `publicId` (16 base62 chars, ~95 bits) is not secret: it is the lookup key and the
 *   display prefix.
 * - the secret body carries 43 base62 chars from the CSPRNG (62^43 > 2^256).
 * - the checksum is CRC32 of everything before it, in base62. It lets us reject mistyped or
 *   made-up strings before any cache or storage lookup, as GitHub's tokens do. It is not a
 *   security boundary (anyone can compute a CRC); the digest comparison is.
 */
export type CredentialType = 'sk' | 'svc' | 'rk';
export type Environment = 'live' | 'test';

export const PUBLIC_ID_LENGTH = 16;
export const SECRET_BODY_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;
/** Longest well-formed credential: `svc_live_` + 16 + `.` + 49 = 75 characters. */
export const MAX_CREDENTIAL_LENGTH = 75;

export interface ParsedCredential {
  type: CredentialType;
  environment: Environment;
  publicId: string;
  /** The whole credential string, as presented. */
  token: string;
  /** Set when the format fixes the digest (Unkey's: plain SHA-256); else the server's digester applies. */
  digest?: string;
}

/**
 * The shape of a credential, unanchored and in the syntax common to JavaScript and RE2 (Go: gitleaks,
 * GitHub's secret scanning): `(sk|svc|rk)_(live|test)_<16 base62>.<49 base62>`. Scanners look for it
 * in text and then check the checksum with `parseCredential`; the published rules are this source.
 * Without capturing groups: `test` builds no array of matches, and `parseCredential` reads the
 * parts at their fixed places (the type is the text before the first `_`).
 */
export const CREDENTIAL_PATTERN_SOURCE = `(?:sk|svc|rk)_(?:live|test)_[0-9A-Za-z]{${PUBLIC_ID_LENGTH}}\\.[0-9A-Za-z]{${SECRET_BODY_LENGTH + CHECKSUM_LENGTH}}`;

const PATTERN = new RegExp(`^${CREDENTIAL_PATTERN_SOURCE}$`);

const UNDERSCORE = 0x5f;
const LOWER_S = 0x73;
const LOWER_L = 0x6c;

function checksum(text: string): string {
  return encodeBase62(crc32(text), CHECKSUM_LENGTH);
}

/** The display prefix of a credential: its type, environment and public id, never the secret. */
export function displayPrefix(type: CredentialType, environment: Environment, publicId: string): string {
  return `${type}_${environment}_${publicId}`;
}

/** A new credential string with a fresh public id and secret. */
export function generateCredential(type: CredentialType, environment: Environment = 'live'): ParsedCredential {
  const publicId = randomBase62(PUBLIC_ID_LENGTH);
  const body = `${displayPrefix(type, environment, publicId)}.${randomBase62(SECRET_BODY_LENGTH)}`;
  return { type, environment, publicId, token: body + checksum(body) };
}

/**
 * A copy that shares no memory with `text`. V8 represents a substring of 13 or more characters as
 * a slice of its parent, which keeps the parent alive: a public id cut from a presented token
 * and kept as a cache key would keep the whole token, secret included, in memory. The cache
 * copies the ids it keeps; a parsed id is a slice, which costs nothing while it lives only as
 * long as its request.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

/** The value of each base62 digit by character code, -1 for any other character below 128. */
const BASE62_VALUE = Int8Array.from({ length: 128 }, (_, code) => BASE62.indexOf(String.fromCharCode(code)));

/**
 * Whether the last CHECKSUM_LENGTH characters of `token` are the checksum of the rest. The digits
 * are read as a number and compared with the CRC itself, rather than the CRC written out as text
 * for a string comparison: the same answer (a width-6 base62 numeral is unique, and 62^6 > 2^32),
 * without building a string per request.
 */
function checksumMatches(token: string, split: number): boolean {
  let value = 0;
  for (let i = split; i < token.length; i++) {
    const code = token.charCodeAt(i);
    const digit = code < 128 ? (BASE62_VALUE[code] as number) : -1;
    if (digit < 0) return false;
    value = value * 62 + digit;
  }
  return value === crc32(token.slice(0, split));
}

/**
 * Parses a presented credential string. Returns null for anything malformed or whose checksum
 * does not match; the caller answers `invalid_key` without touching cache or storage.
 */
export function parseCredential(token: string): ParsedCredential | null {
  if (token.length > MAX_CREDENTIAL_LENGTH) return null;
  if (!PATTERN.test(token)) return null;
  const split = token.length - CHECKSUM_LENGTH;
  if (!checksumMatches(token, split)) return null;
  // `sk_` and `rk_` end at 2, `svc_` at 3; the environment is `live` or `test`, 4 characters.
  const typeEnd = token.charCodeAt(2) === UNDERSCORE ? 2 : 3;
  const type: CredentialType = typeEnd === 3 ? 'svc' : token.charCodeAt(0) === LOWER_S ? 'sk' : 'rk';
  const environment: Environment = token.charCodeAt(typeEnd + 1) === LOWER_L ? 'live' : 'test';
  const idStart = typeEnd + 6;
  return {
    type,
    environment,
    publicId: token.slice(idStart, idStart + PUBLIC_ID_LENGTH),
    token,
  };
}
