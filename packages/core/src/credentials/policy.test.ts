import { ipAllowed } from '../verify/ip-rules.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIpOrCidr } from './policy.js';

/**
 * `isIpOrCidr` decides which entries may be stored in `ipAllowlist` / `ipDenylist`. It must accept
 * every address and range a user can write, and nothing else: an entry it lets through that the
 * engine then reads differently (or not at all) would be a deny rule that does not deny.
 */

const octet = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'));
const group = fc.integer({ min: 0, max: 0xffff });
const groups = fc.array(group, { minLength: 8, maxLength: 8 });

/** The same IPv6 address in the spellings people use: full, padded, upper case, compressed, IPv4 tail. */
const v6 = fc
  .tuple(groups, fc.constantFrom('full', 'padded', 'upper', 'compressed', 'v4tail'))
  .map(([gs, style]) => {
    const hex = gs.map((g) => g.toString(16));
    switch (style) {
      case 'full':
        return hex.join(':');
      case 'padded':
        return hex.map((h) => h.padStart(4, '0')).join(':');
      case 'upper':
        return hex.join(':').toUpperCase();
      case 'v4tail': {
        const [a = 0, b = 0] = gs.slice(6);
        return `${hex.slice(0, 6).join(':')}:${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
      }
      case 'compressed':
      default: {
        // Compress the longest run of zero groups (or, failing one, a random-looking position).
        let best = -1;
        let bestLength = 0;
        for (let i = 0; i < 8; i++) {
          let j = i;
          while (j < 8 && gs[j] === 0) j++;
          if (j - i > bestLength) {
            best = i;
            bestLength = j - i;
          }
        }
        if (best < 0) return hex.join(':');
        return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
      }
    }
  });

/** Addresses with many zero groups, so that `::` compression is exercised often. */
const sparseV6 = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: group }), { minLength: 8, maxLength: 8 })
  .map((gs) => {
    const hex = gs.map((g) => g.toString(16));
    const first = gs.indexOf(0);
    if (first < 0) return hex.join(':');
    let end = first;
    while (end < 8 && gs[end] === 0) end++;
    return `${hex.slice(0, first).join(':')}::${hex.slice(end).join(':')}`;
  });

const anyV6 = fc.oneof(v6, sparseV6);

// ---- an independent model of the accepted language (no zone ids: the generators below never use `%`)

const V4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const V4 = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function modelV6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const sides = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = sides.flat();
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const part = all[i] ?? '';
    const last = i === all.length - 1;
    if (last && part.includes('.')) {
      if (!V4.test(part)) return false;
      count += 2;
    } else if (HEX_GROUP.test(part)) {
      count += 1;
    } else {
      return false;
    }
  }
  return compressed ? count <= 7 : count === 8;
}

function model(entry: string): boolean {
  const parts = entry.split('/');
  if (parts.length > 2) return false;
  const [address = '', bits] = parts;
  const family = V4.test(address) ? 4 : modelV6(address) ? 6 : 0;
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

describe('isIpOrCidr', () => {
  it('accepts every IPv4 address, alone and with every prefix length 0–32', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), (address, bits) => {
        expect(isIpOrCidr(address)).toBe(true);
        expect(isIpOrCidr(`${address}/${bits}`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every IPv6 address in every usual spelling, alone and with every prefix length 0–128', () => {
    fc.assert(
      fc.property(anyV6, fc.integer({ min: 0, max: 128 }), (address, bits) => {
        expect(isIpOrCidr(address), address).toBe(true);
        expect(isIpOrCidr(`${address}/${bits}`), address).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts the boundaries: 0.0.0.0/0, ::/0, /32 and /128, IPv4-mapped IPv6', () => {
    for (const entry of ['0.0.0.0/0', '255.255.255.255/32', '::/0', '::', '::1/128', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', '::ffff:192.0.2.1/120', '2001:db8::/32']) {
      expect(isIpOrCidr(entry), entry).toBe(true);
    }
  });

  it('refuses a prefix length beyond the family (IPv4 > 32, IPv6 > 128)', () => {
    fc.assert(
      fc.property(v4, anyV6, fc.integer({ min: 33, max: 999 }), fc.integer({ min: 129, max: 999 }), (a4, a6, bits4, bits6) => {
        expect(isIpOrCidr(`${a4}/${bits4}`)).toBe(false);
        expect(isIpOrCidr(`${a6}/${bits6}`)).toBe(false);
        // An IPv4 tail does not make an IPv6 address an IPv4 one.
        expect(isIpOrCidr(`::ffff:${a4}/${bits6}`)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses prefix lengths that are not plain decimal numbers', () => {
    for (const bits of ['', '-1', '+8', ' 8', '8 ', '0x8', '1e1', '8.0', '８', '1000', '4294967304', 'NaN', 'Infinity']) {
      expect(isIpOrCidr(`10.0.0.0/${bits}`), bits).toBe(false);
      expect(isIpOrCidr(`2001:db8::/${bits}`), bits).toBe(false);
    }
  });

  it('refuses garbage: hostnames, wrong octets, extra parts, padding, several slashes', () => {
    const garbage = [
      '',
      ' ',
      'localhost',
      'example.com',
      '10.0.0',
      '10.0.0.0.0',
      '256.0.0.1',
      '01.2.3.4',
      '1.2.3.4.',
      '.1.2.3.4',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1.2.3.4\n',
      '1.2.3.4/8/8',
      '1.2.3.4//8',
      '/8',
      '1.2.3.4/',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '12345::1',
      ':::',
      'g::1',
      '::1.2.3',
      '::ffff:01.2.3.4',
      '1.2.3.4::',
      '*',
      '0.0.0.0/0 OR 1=1',
      "1.2.3.4'; drop table credentials; --",
    ];
    for (const entry of garbage) expect(isIpOrCidr(entry), JSON.stringify(entry)).toBe(false);
  });

  it('agrees with an independent model of addresses and ranges on arbitrary strings of address characters', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEFg:./');
    const near = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 48 }),
      // Mutations of real entries: one character inserted, removed or replaced.
      fc
        .tuple(fc.oneof(v4, anyV6), fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 200 }).map((n) => `/${n}`)), fc.nat(), alphabet, fc.constantFrom('insert', 'delete', 'replace', 'none'))
        .map(([address, suffix, rawIndex, ch, op]) => {
          const text = `${address}${suffix}`;
          const i = rawIndex % (text.length + 1);
          if (op === 'insert') return text.slice(0, i) + ch + text.slice(i);
          if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
          if (op === 'replace') return text.slice(0, i) + ch + text.slice(i + 1);
          return text;
        }),
    );
    fc.assert(
      fc.property(near, (entry) => {
        expect(isIpOrCidr(entry), JSON.stringify(entry)).toBe(model(entry));
      }),
      { numRuns: 2000 },
    );
  });

  it('lets through only entries the engine enforces: an accepted entry, used as a deny list, denies its own address', () => {
    const entries = fc.oneof(
      fc.tuple(v4, fc.option(fc.integer({ min: 0, max: 32 }))).map(([a, bits]) => [a, bits === null ? a : `${a}/${bits}`] as const),
      fc.tuple(anyV6, fc.option(fc.integer({ min: 0, max: 128 }))).map(([a, bits]) => [a, bits === null ? a : `${a}/${bits}`] as const),
    );
    fc.assert(
      fc.property(entries, ([address, entry]) => {
        expect(isIpOrCidr(entry)).toBe(true);
        // Fresh arrays: the engine caches compiled lists per array.
        expect(ipAllowed(address, [], [entry]), entry).toBe(false);
        expect(ipAllowed(address, [entry], []), entry).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
