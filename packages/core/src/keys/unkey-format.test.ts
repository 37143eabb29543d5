import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateCredential } from './key-format.js';
import { encodeBase58, generateUnkeyKey, parseUnkeyKey, sha256HexOf, unkeyLookupId } from './unkey-format.js';

describe("Unkey's key format", () => {
  it('base58 matches Bitcoin’s alphabet and keeps leading zero bytes as 1s (reference vectors)', () => {
    expect(encodeBase58(Buffer.from('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U');
    expect(encodeBase58(Buffer.from([0, 0, 0x28, 0x7f, 0xb4, 0xcd]))).toBe('11233QC4');
    expect(encodeBase58(new Uint8Array([]))).toBe('');
  });

  it('a generated key is prefix_ + base58, found again by its hash, its start the prefix and 4 characters', () => {
    const issued = generateUnkeyKey('acme', 16);
    expect(issued.token).toMatch(/^acme_[1-9A-HJ-NP-Za-km-z]{21,22}$/);
    expect(issued.format).toEqual({ prefix: 'acme', byteLength: 16, start: issued.token.slice(0, 9) });
    const parsed = parseUnkeyKey(issued.token);
    expect(parsed?.publicId).toBe(issued.publicId);
    expect(parsed?.digest).toBe(createHash('sha256').update(issued.token).digest('hex'));
    // The lookup id is not the digest itself.
    expect(issued.publicId).not.toContain(issued.digest);
    expect(unkeyLookupId(issued.digest)).toBe(issued.publicId);
  });

  it('strings of Elyzor’s own shape, whitespace, and strings too short or too long are never looked up by hash', () => {
    for (const token of [generateCredential('sk').token, generateCredential('rk').token, 'sk_live_whatever', 'short', 'with space inside', 'tab\there', 'x'.repeat(401), 'ünïcode-key-here']) {
      expect(parseUnkeyKey(token), token.slice(0, 20)).toBeNull();
    }
  });

  it('an imported hash is read in base64 (as Unkey stores it) or hex, and nothing else', () => {
    const digest = createHash('sha256').update('k');
    const hex = digest.copy().digest('hex');
    expect(sha256HexOf(digest.copy().digest('base64'))).toBe(hex);
    expect(sha256HexOf(hex.toUpperCase())).toBe(hex);
    for (const bad of ['', 'abc', `${hex}0`, 'x'.repeat(64), '!'.repeat(44)]) expect(sha256HexOf(bad)).toBeNull();
  });
});
