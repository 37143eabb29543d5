import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { BASE62, encodeBase62 } from './base62.js';
import {
  CHECKSUM_LENGTH,
  CREDENTIAL_PATTERN_SOURCE,
  MAX_CREDENTIAL_LENGTH,
  PUBLIC_ID_LENGTH,
  SECRET_BODY_LENGTH,
  displayPrefix,
  generateCredential,
  parseCredential,
  type CredentialType,
  type Environment,
} from './key-format.js';

const types = fc.constantFrom<CredentialType>('sk', 'svc', 'rk');
const environments = fc.constantFrom<Environment>('live', 'test');
const base62Char = fc.constantFrom(...BASE62);

/** Builds a well-formed credential from parts, with a correct checksum, without the generator. */
function forge(type: string, environment: string, publicId: string, secretBody: string): string {
  const body = `${type}_${environment}_${publicId}.${secretBody}`;
  return body + encodeBase62(crc32(body), CHECKSUM_LENGTH);
}

function replaceAt(text: string, index: number, ch: string): string {
  return text.slice(0, index) + ch + text.slice(index + 1);
}

describe('generateCredential', () => {
  it('produces a credential that parses back to the same parts (property over types and environments)', () => {
    fc.assert(
      fc.property(types, environments, (type, environment) => {
        const generated = generateCredential(type, environment);
        expect(generated.type).toBe(type);
        expect(generated.environment).toBe(environment);
        expect(parseCredential(generated.token)).toEqual(generated);
      }),
    );
  });

  it('defaults to the live environment', () => {
    expect(generateCredential('sk').environment).toBe('live');
    expect(generateCredential('sk').token.startsWith('sk_live_')).toBe(true);
  });

  it('has the documented layout and length', () => {
    fc.assert(
      fc.property(types, environments, (type, environment) => {
        const { token, publicId } = generateCredential(type, environment);
        const prefix = `${type}_${environment}_`;
        expect(token.startsWith(prefix)).toBe(true);
        expect(token).toHaveLength(prefix.length + PUBLIC_ID_LENGTH + 1 + SECRET_BODY_LENGTH + CHECKSUM_LENGTH);
        expect(token.length).toBeLessThanOrEqual(MAX_CREDENTIAL_LENGTH);
        expect(publicId).toHaveLength(PUBLIC_ID_LENGTH);
        expect(token.slice(prefix.length, prefix.length + PUBLIC_ID_LENGTH)).toBe(publicId);
        expect(token[prefix.length + PUBLIC_ID_LENGTH]).toBe('.');
      }),
    );
    expect(generateCredential('sk', 'live').token).toHaveLength(74);
    expect(generateCredential('sk', 'test').token).toHaveLength(74);
    expect(generateCredential('svc', 'live').token).toHaveLength(MAX_CREDENTIAL_LENGTH);
    expect(generateCredential('svc', 'test').token).toHaveLength(MAX_CREDENTIAL_LENGTH);
  });

  it('uses only base62 characters in the public id, the secret and the checksum', () => {
    for (let i = 0; i < 200; i++) {
      const { token, publicId } = generateCredential(i % 2 === 0 ? 'sk' : 'svc', i % 3 === 0 ? 'test' : 'live');
      const [head, secret] = token.split('.') as [string, string];
      expect(publicId).toMatch(/^[0-9A-Za-z]{16}$/);
      expect(head.endsWith(publicId)).toBe(true);
      expect(secret).toMatch(/^[0-9A-Za-z]{49}$/);
    }
  });

  it('ends with the base62 CRC32 of everything before the checksum', () => {
    const { token } = generateCredential('sk', 'live');
    const split = token.length - CHECKSUM_LENGTH;
    expect(token.slice(split)).toBe(encodeBase62(crc32(token.slice(0, split)), CHECKSUM_LENGTH));
  });

  it('never repeats a public id or a secret over many generations', () => {
    const ids = new Set<string>();
    const tokens = new Set<string>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const { publicId, token } = generateCredential('sk');
      ids.add(publicId);
      tokens.add(token.slice(token.indexOf('.') + 1));
    }
    expect(ids.size).toBe(n);
    expect(tokens.size).toBe(n);
  });

  it('displayPrefix is exactly the part of the token before the secret', () => {
    fc.assert(
      fc.property(types, environments, (type, environment) => {
        const { token, publicId } = generateCredential(type, environment);
        expect(token.startsWith(`${displayPrefix(type, environment, publicId)}.`)).toBe(true);
      }),
    );
    expect(displayPrefix('svc', 'test', 'abc')).toBe('svc_test_abc');
  });
});

describe('parseCredential', () => {
  it('accepts any well-formed string with a correct checksum (the checksum is a format check, not a secret)', () => {
    const token = forge('sk', 'test', 'A'.repeat(16), 'b'.repeat(43));
    expect(parseCredential(token)).toEqual({ type: 'sk', environment: 'test', publicId: 'A'.repeat(16), token });
  });

  it('rejects every single-character substitution with another base62 character (property)', () => {
    fc.assert(
      fc.property(types, environments, fc.nat(), base62Char, (type, environment, rawIndex, ch) => {
        const { token } = generateCredential(type, environment);
        const index = rawIndex % token.length;
        fc.pre(token[index] !== ch);
        expect(parseCredential(replaceAt(token, index, ch))).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every single-character substitution at every position of one credential, exhaustively', () => {
    const { token } = generateCredential('svc', 'live');
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      for (const ch of BASE62) {
        if (token[i] === ch) continue;
        tried++;
        expect(parseCredential(replaceAt(token, i, ch)), `position ${i} -> ${ch}`).toBeNull();
      }
    }
    expect(tried).toBe(token.length * 61 + countNonBase62(token));
  });

  it('rejects a changed secret or public id through the checksum even though the pattern still matches', () => {
    const { token } = generateCredential('sk', 'live');
    const secretStart = token.indexOf('.') + 1;
    for (const index of [8, 8 + PUBLIC_ID_LENGTH - 1, secretStart, secretStart + 20, token.length - 1]) {
      const original = token[index] as string;
      const mutated = replaceAt(token, index, original === 'a' ? 'b' : 'a');
      expect(mutated).toMatch(/^sk_live_[0-9A-Za-z]{16}\.[0-9A-Za-z]{49}$/);
      expect(parseCredential(mutated)).toBeNull();
    }
  });

  it('rejects two swapped adjacent characters in the secret', () => {
    const { token } = generateCredential('sk', 'live');
    let i = token.indexOf('.') + 1;
    while (token[i] === token[i + 1]) i++;
    const swapped = token.slice(0, i) + (token[i + 1] as string) + (token[i] as string) + token.slice(i + 2);
    expect(parseCredential(swapped)).toBeNull();
  });

  it('rejects wrong or differently cased prefixes, even with a correct checksum', () => {
    const publicId = 'x'.repeat(16);
    const secret = 'y'.repeat(43);
    for (const [type, environment] of [
      ['pk', 'live'],
      ['SK', 'live'],
      ['sk', 'LIVE'],
      ['sk', 'prod'],
      ['svcs', 'live'],
      ['s', 'live'],
      ['', 'live'],
      ['sk', ''],
      ['sk', 'tests'],
    ] as const) {
      expect(parseCredential(forge(type, environment, publicId, secret)), `${type}_${environment}`).toBeNull();
    }
    // Control: the same parts with a real prefix are accepted.
    expect(parseCredential(forge('sk', 'live', publicId, secret))).not.toBeNull();
  });

  it('rejects wrong separators', () => {
    const { token } = generateCredential('sk', 'live');
    const dot = token.indexOf('.');
    expect(parseCredential(token.replace('sk_', 'sk-'))).toBeNull();
    expect(parseCredential(token.replace('_live_', '_live-'))).toBeNull();
    expect(parseCredential(token.replace('_live_', '-live_'))).toBeNull();
    expect(parseCredential(replaceAt(token, dot, '_'))).toBeNull();
    expect(parseCredential(replaceAt(token, dot, ':'))).toBeNull();
    expect(parseCredential(token.replace('.', ''))).toBeNull();
    // Separators rewritten with the checksum recomputed: still refused by the pattern.
    const body = token.slice(0, -CHECKSUM_LENGTH).replace('.', '_');
    expect(parseCredential(body + encodeBase62(crc32(body), CHECKSUM_LENGTH))).toBeNull();
  });

  it('rejects a public id or secret of the wrong length, even with a correct checksum', () => {
    expect(parseCredential(forge('sk', 'live', 'a'.repeat(15), 'b'.repeat(44)))).toBeNull();
    expect(parseCredential(forge('sk', 'live', 'a'.repeat(17), 'b'.repeat(42)))).toBeNull();
    expect(parseCredential(forge('sk', 'live', 'a'.repeat(16), 'b'.repeat(42)))).toBeNull();
    expect(parseCredential(forge('sk', 'live', 'a'.repeat(16), 'b'.repeat(44)))).toBeNull();
  });

  it('rejects surrounding or embedded whitespace', () => {
    const { token } = generateCredential('sk', 'live');
    for (const variant of [
      ` ${token}`,
      `${token} `,
      `${token}\n`,
      `\t${token}`,
      `${token}\r\n`,
      token.replace('.', ' .'),
      replaceAt(token, 30, ' '),
      `${token.slice(0, 20)}\u00a0${token.slice(20)}`,
    ]) {
      expect(parseCredential(variant), JSON.stringify(variant)).toBeNull();
    }
  });

  it('rejects overlong strings', () => {
    const sk = generateCredential('sk', 'live').token;
    const svc = generateCredential('svc', 'live').token;
    expect(parseCredential(`${sk}a`)).toBeNull();
    expect(parseCredential(`${svc}a`)).toBeNull();
    expect(parseCredential(sk + sk)).toBeNull();
    expect(parseCredential(svc.repeat(1000))).toBeNull();
    expect(parseCredential('a'.repeat(1_000_000))).toBeNull();
  });

  it('rejects unicode look-alikes and non-ASCII characters', () => {
    const { token } = generateCredential('sk', 'live');
    const secretStart = token.indexOf('.') + 1;
    for (const ch of ['é', 'Ａ', '０', 'а' /* Cyrillic a */, '\u200b', '😀', 'ß']) {
      expect(parseCredential(replaceAt(token, secretStart + 3, ch)), ch).toBeNull();
    }
    expect(parseCredential(token.replace('sk_', 'ѕk_'))).toBeNull(); // Cyrillic dze
    expect(parseCredential(token.replace('.', '\u2024'))).toBeNull(); // one dot leader
  });

  it('rejects the empty string and short junk', () => {
    for (const junk of ['', 'sk', 'sk_', 'sk_live_', 'sk_live_.', '.', 'Bearer', 'null', 'undefined']) {
      expect(parseCredential(junk), junk).toBeNull();
    }
  });

  it('rejects arbitrary strings (property: nothing random parses)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => {
        expect(parseCredential(text)).toBeNull();
      }),
    );
  });

  it('rejects a credential of one type whose prefix was switched to the other type', () => {
    const { token } = generateCredential('sk', 'live');
    expect(parseCredential(`svc${token.slice(2)}`)).toBeNull();
    const svc = generateCredential('svc', 'test').token;
    expect(parseCredential(`sk${svc.slice(3)}`)).toBeNull();
    expect(parseCredential(svc.replace('_test_', '_live_'))).toBeNull();
  });
});

function countNonBase62(text: string): number {
  let n = 0;
  for (const ch of text) if (!BASE62.includes(ch)) n++;
  return n;
}

describe('root keys (rk)', () => {
  it('parse with the same layout and checksum rules as the other credentials', () => {
    const generated = generateCredential('rk');
    expect(generated.token).toMatch(/^rk_live_[0-9A-Za-z]{16}\.[0-9A-Za-z]{49}$/);
    expect(parseCredential(generated.token)).toEqual(generated);
    const last = generated.token.at(-1) === 'a' ? 'b' : 'a';
    expect(parseCredential(generated.token.slice(0, -1) + last)).toBeNull();
  });
});

describe('CREDENTIAL_PATTERN_SOURCE', () => {
  it('finds every generated credential inside text, and exactly it (property over types and environments)', () => {
    const pattern = new RegExp(CREDENTIAL_PATTERN_SOURCE, 'g');
    fc.assert(
      fc.property(types, environments, (type, environment) => {
        const { token } = generateCredential(type, environment);
        expect([...`KEY="${token}" # x`.matchAll(pattern)].map((m) => m[0])).toEqual([token]);
      }),
    );
  });

  it('is the shape parseCredential accepts: no match, no parse', () => {
    const pattern = new RegExp(`^${CREDENTIAL_PATTERN_SOURCE}$`);
    const { token } = generateCredential('sk');
    for (const text of [token, token.slice(1), `${token}a`, token.replace('_live_', '_prod_'), token.replace('.', '-')]) {
      expect(pattern.test(text)).toBe(parseCredential(text) !== null);
    }
  });
});
