import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ipAllowed } from './ip-rules.js';

const v4 = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');

const v6 = (n: bigint): string => {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
};

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

describe('ipAllowed without rules', () => {
  it('allows any address, a missing address and even junk', () => {
    expect(ipAllowed('203.0.113.9', [], [])).toBe(true);
    expect(ipAllowed('2001:db8::1', [], [])).toBe(true);
    expect(ipAllowed(undefined, [], [])).toBe(true);
    expect(ipAllowed('not an ip', [], [])).toBe(true);
  });
});

describe('ipAllowed with an allow list', () => {
  const allow = ['203.0.113.9', '10.0.0.0/8', '2001:db8::1', '2001:db8:aaaa::/48'];

  it('allows listed addresses and addresses inside listed ranges', () => {
    for (const ip of ['203.0.113.9', '10.0.0.0', '10.255.255.255', '10.1.2.3', '2001:db8::1', '2001:db8:aaaa::', '2001:db8:aaaa:ffff:ffff:ffff:ffff:ffff']) {
      expect(ipAllowed(ip, allow, []), ip).toBe(true);
    }
  });

  it('refuses addresses outside the list', () => {
    for (const ip of ['203.0.113.10', '11.0.0.0', '9.255.255.255', '192.168.0.1', '2001:db8::2', '2001:db8:aaab::1', '::1']) {
      expect(ipAllowed(ip, allow, []), ip).toBe(false);
    }
  });

  it('compares IPv6 addresses by value, whatever their spelling', () => {
    expect(ipAllowed('2001:DB8::1', allow, [])).toBe(true);
    expect(ipAllowed('2001:0db8:0000:0000:0000:0000:0000:0001', allow, [])).toBe(true);
    expect(ipAllowed('2001:db8:aaaa:0:0:0:0:7', allow, [])).toBe(true);
  });

  it('refuses when the address is missing or is not an address', () => {
    for (const ip of [undefined, '', 'localhost', '10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.1/32', ' 10.0.0.1', '2001:db8::1::']) {
      expect(ipAllowed(ip, allow, []), String(ip)).toBe(false);
    }
  });

  it('does not match an IPv4 client against IPv6 entries that are not IPv4-mapped', () => {
    expect(ipAllowed('10.0.0.1', ['2001:db8::/32'], [])).toBe(false);
    expect(ipAllowed('0.0.0.1', ['::1'], [])).toBe(false);
  });

  it('allows everything with 0.0.0.0/0 for IPv4 and ::/0 for IPv6', () => {
    expect(ipAllowed('198.51.100.1', ['0.0.0.0/0'], [])).toBe(true);
    expect(ipAllowed('2001:db8::5', ['::/0'], [])).toBe(true);
    expect(ipAllowed('2001:db8::5', ['0.0.0.0/0'], [])).toBe(false);
  });
});

describe('ipAllowed with a deny list', () => {
  it('allows everything else when there is no allow list', () => {
    expect(ipAllowed('192.0.2.1', [], ['198.51.100.0/24'])).toBe(true);
    expect(ipAllowed('198.51.100.77', [], ['198.51.100.0/24'])).toBe(false);
    expect(ipAllowed('2001:db8::1', [], ['2001:db8::/32'])).toBe(false);
    expect(ipAllowed('2001:db9::1', [], ['2001:db8::/32'])).toBe(true);
  });

  it('wins over the allow list when an address is in both', () => {
    const allow = ['10.0.0.0/8'];
    const deny = ['10.6.6.0/24'];
    expect(ipAllowed('10.6.6.6', allow, deny)).toBe(false);
    expect(ipAllowed('10.6.7.6', allow, deny)).toBe(true);
    expect(ipAllowed('10.6.6.6', ['10.6.6.6'], ['10.6.6.6'])).toBe(false);
  });

  it('refuses a missing address when only a deny list is set', () => {
    expect(ipAllowed(undefined, [], ['198.51.100.0/24'])).toBe(false);
    expect(ipAllowed('nope', [], ['198.51.100.0/24'])).toBe(false);
  });
});

describe('IPv4-mapped IPv6 addresses', () => {
  // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d. It is the same client and must
  // get the same answer as a.b.c.d, in both directions, for allow and deny lists alike.
  it('match IPv4 allow-list entries and ranges', () => {
    expect(ipAllowed('::ffff:203.0.113.9', ['203.0.113.9'], [])).toBe(true);
    expect(ipAllowed('::ffff:10.20.30.40', ['10.0.0.0/8'], [])).toBe(true);
    expect(ipAllowed('::ffff:cb00:7109', ['203.0.113.9'], [])).toBe(true);
    expect(ipAllowed('::ffff:11.0.0.1', ['10.0.0.0/8'], [])).toBe(false);
  });

  it('are caught by IPv4 deny-list entries (no bypass of a deny rule through the mapped form)', () => {
    expect(ipAllowed('::ffff:10.6.6.6', ['10.0.0.0/8'], ['10.6.6.0/24'])).toBe(false);
    expect(ipAllowed('::ffff:198.51.100.7', [], ['198.51.100.7'])).toBe(false);
  });

  it('written in a list match the plain IPv4 client', () => {
    expect(ipAllowed('203.0.113.9', ['::ffff:203.0.113.9'], [])).toBe(true);
    expect(ipAllowed('10.1.1.1', ['::ffff:10.0.0.0/104'], [])).toBe(true);
    expect(ipAllowed('10.1.1.1', [], ['::ffff:10.0.0.0/104'])).toBe(false);
    expect(ipAllowed('11.1.1.1', ['::ffff:10.0.0.0/104'], [])).toBe(false);
  });

  it('agree with the plain IPv4 form for any address and range (property)', () => {
    fc.assert(
      fc.property(u32, u32, fc.integer({ min: 0, max: 32 }), (client, network, prefix) => {
        const list = [`${v4(network)}/${prefix}`];
        const plain = ipAllowed(v4(client), list, []);
        expect(ipAllowed(`::ffff:${v4(client)}`, list, [])).toBe(plain);
        expect(ipAllowed(`::ffff:${v4(client)}`, [], list)).toBe(!plain);
      }),
    );
  });
});

describe('CIDR ranges (properties)', () => {
  it('an IPv4 address is inside a/p, and flipping a bit above the prefix takes it outside', () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 0, max: 32 }), fc.nat(), (a, p, bitSeed) => {
        const range = [`${v4(a)}/${p}`];
        expect(ipAllowed(v4(a), range, [])).toBe(true);
        if (p > 0) {
          const bit = 31 - (bitSeed % p); // one of the p network bits
          expect(ipAllowed(v4((a ^ (1 << bit)) >>> 0), range, [])).toBe(false);
        }
        if (p < 32) {
          const bit = bitSeed % (32 - p); // one of the host bits
          expect(ipAllowed(v4((a ^ (1 << bit)) >>> 0), range, [])).toBe(true);
        }
      }),
    );
  });

  it('an IPv6 address is inside a/p, and flipping a bit above the prefix takes it outside', () => {
    fc.assert(
      fc.property(u128, fc.integer({ min: 0, max: 128 }), fc.nat(), (a, p, bitSeed) => {
        const range = [`${v6(a)}/${p}`];
        expect(ipAllowed(v6(a), range, [])).toBe(true);
        if (p > 0) {
          const bit = BigInt(127 - (bitSeed % p));
          expect(ipAllowed(v6(a ^ (1n << bit)), range, [])).toBe(false);
        }
        if (p < 128) {
          const bit = BigInt(bitSeed % (128 - p));
          expect(ipAllowed(v6(a ^ (1n << bit)), range, [])).toBe(true);
        }
      }),
    );
  });

  it('a single address entry matches that address only', () => {
    fc.assert(
      fc.property(u32, u32, (a, b) => {
        expect(ipAllowed(v4(b), [v4(a)], [])).toBe(a === b);
      }),
    );
  });
});

describe('list caching', () => {
  it('gives each list its own answer even when lists are reused', () => {
    const first = ['192.0.2.0/24'];
    const second = ['198.51.100.0/24'];
    for (let i = 0; i < 3; i++) {
      expect(ipAllowed('192.0.2.5', first, [])).toBe(true);
      expect(ipAllowed('192.0.2.5', second, [])).toBe(false);
      expect(ipAllowed('198.51.100.5', second, [])).toBe(true);
      expect(ipAllowed('198.51.100.5', [], second)).toBe(false);
    }
  });
});
