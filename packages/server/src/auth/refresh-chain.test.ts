import { createHmac } from 'node:crypto';
import { BASE62, randomBase62 } from '@elyzor/core';
import { describe, expect, it } from 'vitest';
import { REFRESH_TOKEN, retiredTokenOutcome, successorKey, successorOf, type SuccessorState } from './refresh-chain.js';

const SECRET = 'a'.repeat(32);

/** Base62 digits back to an integer, to compare with the HMAC independently of the encoder. */
function integerOf(text: string): bigint {
  let n = 0n;
  for (const char of text) n = n * 62n + BigInt(BASE62.indexOf(char));
  return n;
}

describe('successorOf', () => {
  const key = successorKey(SECRET);

  it('is the HMAC-SHA-256 of the token under the successor key, as a 43-character base62 refresh token', () => {
    for (let i = 0; i < 200; i++) {
      const token = randomBase62(43);
      const next = successorOf(key, token);
      expect(next).toMatch(REFRESH_TOKEN);
      const mac = createHmac('sha256', key).update(token).digest('hex');
      expect(integerOf(next)).toBe(BigInt(`0x${mac}`));
    }
  });

  it('is the same for the same token and key, and differs for another token or another secret', () => {
    const token = randomBase62(43);
    expect(successorOf(key, token)).toBe(successorOf(successorKey(SECRET), token));
    expect(successorOf(key, token)).not.toBe(token);
    expect(successorOf(key, randomBase62(43))).not.toBe(successorOf(key, token));
    expect(successorOf(successorKey('b'.repeat(32)), token)).not.toBe(successorOf(key, token));
  });

  it('uses a key of its own, not the access-token signing secret itself', () => {
    expect(key.toString('hex')).not.toContain(Buffer.from(SECRET).toString('hex'));
    expect(key).toHaveLength(32);
  });
});

describe('retiredTokenOutcome', () => {
  const retiredAt = new Date(1_000_000);
  const graceMs = 5_000;
  const live: SuccessorState = { rotatedAt: null, revokedAt: null, expiresAt: new Date(10_000_000) };

  it('reissues the successor within the grace while it is the live token', () => {
    expect(retiredTokenOutcome({ retiredAt, now: 1_000_000, graceMs, successor: live })).toBe('reissue');
    expect(retiredTokenOutcome({ retiredAt, now: 1_004_999, graceMs, successor: live })).toBe('reissue');
  });

  it('is a replay from the end of the grace on', () => {
    expect(retiredTokenOutcome({ retiredAt, now: 1_005_000, graceMs, successor: live })).toBe('replay');
    expect(retiredTokenOutcome({ retiredAt, now: 9_000_000, graceMs, successor: live })).toBe('replay');
  });

  it('is always a replay with a grace of 0', () => {
    expect(retiredTokenOutcome({ retiredAt, now: 1_000_000, graceMs: 0, successor: live })).toBe('replay');
  });

  it('is a replay once the successor was exchanged in turn, revoked, expired, or is unknown', () => {
    const now = 1_001_000;
    expect(retiredTokenOutcome({ retiredAt, now, graceMs, successor: { ...live, rotatedAt: new Date(1_000_500) } })).toBe('replay');
    expect(retiredTokenOutcome({ retiredAt, now, graceMs, successor: { ...live, revokedAt: new Date(1_000_500) } })).toBe('replay');
    expect(retiredTokenOutcome({ retiredAt, now, graceMs, successor: { ...live, expiresAt: new Date(now) } })).toBe('replay');
    expect(retiredTokenOutcome({ retiredAt, now, graceMs, successor: undefined })).toBe('replay');
  });

  it('counts a clock slightly behind the one that retired the token (another instance) as within the grace', () => {
    expect(retiredTokenOutcome({ retiredAt, now: 999_990, graceMs, successor: live })).toBe('reissue');
  });
});
