import { hash, randomBytes } from 'node:crypto';
import type { ParsedCredential } from './key-format.js';

/**
 * Unkey's key format, beside Elyzor's own: `<prefix>_<base58 of byteLength random bytes>` (or
 * the bare base58 without a prefix), stored as its SHA-256. Keys issued through `/v2` have it,
 * and keys imported by their hash (`keys.migrateKeys`) are of it whatever they look like, so a
 * presented string that is not of Elyzor's format is looked up by its hash.
 *
 * Such a key has no public id inside it: its lookup id is derived from its SHA-256 (hex), which
 * is all an imported key brings. The digest compared is that SHA-256 itself, unpeppered: an
 * imported hash could not be peppered after the fact.
 */
export interface UnkeyFormat {
  /** Without the trailing `_`; empty for none. */
  prefix: string;
  byteLength: number;
  /** What views show of the key: the prefix and 4 characters after it. */
  start: string;
}

export const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export const MIN_UNKEY_BYTES = 16;
export const DEFAULT_UNKEY_BYTES = 16;
export const MAX_UNKEY_BYTES = 255;
/** Longest string looked up by hash: a prefix of 16, `_`, and the base58 of 255 bytes (349). */
export const MAX_UNKEY_LENGTH = 400;
/** The shortest: anything shorter cannot be a key worth a lookup. */
export const MIN_UNKEY_LENGTH = 8;

/** Bytes in base58 (Bitcoin's alphabet), leading zero bytes as `1`s. */
export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = (BASE58[Number(value % 58n)] as string) + out;
    value /= 58n;
  }
  return '1'.repeat(zeros) + out;
}

/** How every lookup id of a key of Unkey's format begins (Elyzor's own public ids are base62, without `_`). */
const UNKEY_LOOKUP_PREFIX = 'uk_';

/** The lookup id of a key by its SHA-256 (hex): a hash of the hash, so that no id shown or cached is the digest. */
export function unkeyLookupId(sha256Hex: string): string {
  return `${UNKEY_LOOKUP_PREFIX}${hash('sha256', `elyzor-lookup:${sha256Hex}`, 'hex').slice(0, 40)}`;
}

/** Whether a public id is the lookup id of a key of Unkey's format. */
export function isUnkeyLookupId(publicId: string): boolean {
  return publicId.startsWith(UNKEY_LOOKUP_PREFIX);
}

/** SHA-256 (hex) of an imported key's hash given as Unkey gives it (base64) or as hex; null if neither. */
export function sha256HexOf(text: string): string | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    return bytes.length === 32 ? bytes.toString('hex') : null;
  }
  return null;
}

/** The digest and lookup id of a presented key of Unkey's format. */
export interface UnkeyCredential extends ParsedCredential {
  /** SHA-256 (hex) of the whole string: compared with the stored digest. */
  digest: string;
  start: string;
}

const startOf = (prefix: string, random: string): string => (prefix === '' ? random.slice(0, 4) : `${prefix}_${random.slice(0, 4)}`);

/** A new key of Unkey's format. */
export function generateUnkeyKey(prefix: string, byteLength: number): UnkeyCredential & { format: UnkeyFormat } {
  const random = encodeBase58(randomBytes(byteLength));
  const token = prefix === '' ? random : `${prefix}_${random}`;
  const digest = hash('sha256', token, 'hex');
  const start = startOf(prefix, random);
  return { type: 'sk', environment: 'live', publicId: unkeyLookupId(digest), token, digest, start, format: { prefix, byteLength, start } };
}

/** Strings never looked up by hash: Elyzor's own formats, whose checksum already refused them. */
const ELYZOR_SHAPED = /^(sk|svc|rk)_(live|test)_/;

/**
 * A presented string as a key of Unkey's format: its hash and lookup id; null when it cannot be
 * one (too short or long, whitespace or control characters, or shaped as Elyzor's own).
 */
export function parseUnkeyKey(token: string): UnkeyCredential | null {
  if (token.length < MIN_UNKEY_LENGTH || token.length > MAX_UNKEY_LENGTH) return null;
  if (!/^[\x21-\x7e]+$/.test(token) || ELYZOR_SHAPED.test(token)) return null;
  const digest = hash('sha256', token, 'hex');
  const cut = token.lastIndexOf('_');
  const start = cut === -1 ? token.slice(0, 4) : startOf(token.slice(0, cut), token.slice(cut + 1));
  return { type: 'sk', environment: 'live', publicId: unkeyLookupId(digest), token, digest, start };
}
