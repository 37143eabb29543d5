import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BASE62, encodeBase62, randomBase62 } from './base62.js';

/** Reference decoder, independent of the encoder under test. */
function decodeBase62(text: string): number {
  let value = 0;
  for (const ch of text) {
    const digit = BASE62.indexOf(ch);
    if (digit < 0) throw new Error(`not a base62 digit: ${ch}`);
    value = value * 62 + digit;
  }
  return value;
}

const ONLY_BASE62 = /^[0-9A-Za-z]*$/;

describe('BASE62 alphabet', () => {
  it('has 62 distinct characters: digits, upper case, lower case, in that order', () => {
    expect(BASE62).toHaveLength(62);
    expect(new Set(BASE62).size).toBe(62);
    expect(BASE62).toMatch(ONLY_BASE62);
    expect(BASE62.slice(0, 10)).toBe('0123456789');
    expect(BASE62.slice(10, 36)).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(BASE62.slice(36)).toBe('abcdefghijklmnopqrstuvwxyz');
  });
});

describe('randomBase62', () => {
  it('returns exactly the requested number of characters', () => {
    for (const length of [0, 1, 5, 16, 43, 100, 1000]) {
      expect(randomBase62(length)).toHaveLength(length);
    }
  });

  it('uses only characters of the base62 alphabet (property over lengths)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), (length) => {
        const out = randomBase62(length);
        expect(out).toHaveLength(length);
        expect(out).toMatch(ONLY_BASE62);
      }),
    );
  });

  it('does not repeat itself between calls', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(randomBase62(16));
    expect(seen.size).toBe(1000);
  });

  it('draws every symbol with roughly equal frequency (chi-square sanity over ~200k characters)', () => {
    const total = 62 * 3300; // 204,600 characters, 3,300 expected per symbol
    const counts = new Map<string, number>();
    let drawn = 0;
    while (drawn < total) {
      const chunk = randomBase62(Math.min(4096, total - drawn));
      for (const ch of chunk) counts.set(ch, (counts.get(ch) ?? 0) + 1);
      drawn += chunk.length;
    }
    expect(counts.size).toBe(62);
    const expected = total / 62;
    let chiSquare = 0;
    for (const ch of BASE62) {
      const observed = counts.get(ch) ?? 0;
      chiSquare += (observed - expected) ** 2 / expected;
    }
    // 61 degrees of freedom: mean 61, p(chi² > 130) is below 1e-6. A plain `byte % 62` without
    // rejection over-weights the first 8 symbols by ~25%, which gives a chi² in the thousands.
    expect(chiSquare).toBeLessThan(130);
    // And no symbol strays far from its share in either direction.
    for (const ch of BASE62) {
      const observed = counts.get(ch) ?? 0;
      expect(observed).toBeGreaterThan(expected * 0.9);
      expect(observed).toBeLessThan(expected * 1.1);
    }
  });
});

describe('encodeBase62', () => {
  it('encodes known values', () => {
    expect(encodeBase62(0, 1)).toBe('0');
    expect(encodeBase62(9, 1)).toBe('9');
    expect(encodeBase62(10, 1)).toBe('A');
    expect(encodeBase62(35, 1)).toBe('Z');
    expect(encodeBase62(36, 1)).toBe('a');
    expect(encodeBase62(61, 1)).toBe('z');
    expect(encodeBase62(62, 1)).toBe('10');
    expect(encodeBase62(62 * 62 - 1, 1)).toBe('zz');
    expect(encodeBase62(0xffffffff, 6)).toBe('4gfFC3');
  });

  it('left-pads with 0 to the requested width', () => {
    expect(encodeBase62(0, 6)).toBe('000000');
    expect(encodeBase62(1, 6)).toBe('000001');
    expect(encodeBase62(62, 4)).toBe('0010');
  });

  it('never truncates a value wider than the requested width', () => {
    expect(encodeBase62(62 ** 3, 2)).toBe('1000');
  });

  it('round-trips through an independent decoder and pads to the width (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 12 }), (value, width) => {
        const encoded = encodeBase62(value, width);
        expect(encoded).toMatch(ONLY_BASE62);
        expect(encoded.length).toBeGreaterThanOrEqual(Math.max(width, 1));
        expect(decodeBase62(encoded)).toBe(value);
        // The only padding is leading zeros: no more than needed for the width (zero itself is "0").
        if (encoded.length > width && value > 0) expect(encoded[0]).not.toBe('0');
      }),
      // Zero at width 0 is "0": the case a random run once found the check itself wrong on.
      { examples: [[0, 0]] },
    );
  });

  it('fits every CRC32 value in 6 characters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        const encoded = encodeBase62(value, 6);
        expect(encoded).toHaveLength(6);
        expect(decodeBase62(encoded)).toBe(value);
      }),
    );
  });

  it('preserves numeric order as string order at a fixed width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) => {
        const ea = encodeBase62(a, 6);
        const eb = encodeBase62(b, 6);
        // '0'-'9' < 'A'-'Z' < 'a'-'z' in code-unit order, like the digit values.
        expect(Math.sign(a - b)).toBe(ea < eb ? -1 : ea > eb ? 1 : 0);
      }),
    );
  });
});
