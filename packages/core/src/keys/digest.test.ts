import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { createDigester, digestsEqual } from './digest.js';
import { generateCredential } from './key-format.js';

describe('createDigester without a pepper (SHA-256)', () => {
  const digest = createDigester();

  it('matches the NIST FIPS 180-2 reference vectors', () => {
    expect(digest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digest('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digest('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto SHA-256 for arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(digest(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
    );
  });

  it('is 64 lower-case hex characters and deterministic', () => {
    const { token } = generateCredential('sk');
    expect(digest(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(token)).toBe(digest(token));
    expect(digest(token)).not.toBe(digest(generateCredential('sk').token));
  });

  it('treats an empty pepper as no pepper', () => {
    expect(createDigester('')('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('createDigester with a pepper (HMAC-SHA-256)', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(createDigester('Jefe')('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches node:crypto HMAC for arbitrary peppers and input (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ maxLength: 200 }), (pepper, text) => {
        expect(createDigester(pepper)(text)).toBe(createHmac('sha256', pepper).update(text).digest('hex'));
      }),
    );
  });

  it('differs from the unpeppered digest and between peppers', () => {
    const { token } = generateCredential('sk');
    const plain = createDigester()(token);
    const a = createDigester('pepper-a')(token);
    const b = createDigester('pepper-b')(token);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(plain);
    expect(a).not.toBe(b);
  });
});

describe('digestsEqual', () => {
  const digest = createDigester();

  it('is true for equal digests', () => {
    const { token } = generateCredential('sk');
    expect(digestsEqual(digest(token), digest(token))).toBe(true);
  });

  it('is false for different digests of the same length', () => {
    const a = digest('a');
    const b = digest('b');
    expect(a).toHaveLength(b.length);
    expect(digestsEqual(a, b)).toBe(false);
  });

  it('is false when only the last nibble differs', () => {
    const a = digest('abc');
    const b = a.slice(0, -1) + (a.endsWith('0') ? '1' : '0');
    expect(digestsEqual(a, b)).toBe(false);
    expect(digestsEqual(b, a)).toBe(false);
  });

  it('is false for any single changed hex digit (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: 63 }), fc.constantFrom(...'0123456789abcdef'), (text, index, ch) => {
        const a = digest(text);
        fc.pre(a[index] !== ch);
        const b = a.slice(0, index) + ch + a.slice(index + 1);
        expect(digestsEqual(a, b)).toBe(false);
      }),
    );
  });

  it('is false, without throwing, when the lengths differ', () => {
    const a = digest('abc');
    expect(() => digestsEqual(a, a.slice(0, 62))).not.toThrow();
    expect(digestsEqual(a, a.slice(0, 62))).toBe(false);
    expect(digestsEqual(a.slice(0, 62), a)).toBe(false);
    expect(digestsEqual(a, `${a}00`)).toBe(false);
    expect(digestsEqual(a, '')).toBe(false);
    expect(digestsEqual('', a)).toBe(false);
    // An odd length that decodes to the same bytes is still a different string.
    expect(digestsEqual(a, `${a}0`)).toBe(false);
  });

  it('is false, without throwing, for a malformed (non-hex) stored digest of the right length', () => {
    const a = digest('abc');
    const garbage = `${a.slice(0, 2)}${'z'.repeat(62)}`;
    expect(() => digestsEqual(a, garbage)).not.toThrow();
    expect(digestsEqual(a, garbage)).toBe(false);
    expect(digestsEqual(garbage, a)).toBe(false);
    // Two different malformed strings must not compare equal because their valid prefixes agree.
    expect(digestsEqual(`ab${'z'.repeat(62)}`, `ab${'y'.repeat(62)}`)).toBe(false);
    expect(digestsEqual('z'.repeat(64), 'y'.repeat(64))).toBe(false);
    // Nor two equal ones: a string that is not hex is no digest at all.
    expect(digestsEqual('z'.repeat(64), 'z'.repeat(64))).toBe(false);
    expect(digestsEqual(garbage, garbage)).toBe(false);
    expect(digestsEqual(`${a.slice(0, 62)}\u00e9f`, `${a.slice(0, 62)}\u00e9f`)).toBe(false);
  });

  it('is true for equal digests in capitals, as hex reads them, and false against the other case', () => {
    const a = digest('abc');
    expect(digestsEqual(a.toUpperCase(), a.toUpperCase())).toBe(true);
    expect(digestsEqual(a, a.toUpperCase())).toBe(a === a.toUpperCase());
  });
});
