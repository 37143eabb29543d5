import { ElyzorError } from '@elyzor/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './page.js';

/**
 * Cursors travel through the caller's hands: decoding one must either give back a position the
 * database can compare against (a UUID and a timestamp PostgreSQL can represent), or fail with
 * a 400 `validation_error`. Anything else becomes a 500 in the query that uses it.
 */

const uuid = fc.uuid();
/** PostgreSQL timestamptz starts at 4714-11-24 BC (Julian day 0) and ends after JavaScript's last date (+275760). */
const PG_MIN = Date.UTC(-4713, 10, 24);
const validDate = fc.date({ min: new Date(PG_MIN), max: new Date(Date.UTC(275_760, 0, 1)), noInvalidDate: true });
const everyDate = fc.date({ noInvalidDate: true });
/** What a cursor can carry: instants of rows, years 1 to 9999, where JavaScript and PostgreSQL agree. */
const storableDate = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

function decodeOutcome(cursor: string): { ok: true; value: ReturnType<typeof decodeCursor> } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: decodeCursor(cursor) };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectRefusal(cursor: string): void {
  const result = decodeOutcome(cursor);
  expect(result.ok, `accepted ${JSON.stringify(cursor)}`).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(ElyzorError);
  expect((result.error as ElyzorError).code).toBe('validation_error');
  expect((result.error as ElyzorError).status).toBe(400);
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('encodeCursor / decodeCursor', () => {
  it('round-trips every position (property)', () => {
    fc.assert(
      fc.property(storableDate, uuid, (createdAt, id) => {
        const cursor = encodeCursor({ createdAt, id });
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        const back = decodeCursor(cursor);
        expect(back.id).toBe(id);
        expect(back.createdAt.getTime()).toBe(createdAt.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('fits the 200-character limit of the cursor query parameter for every position the database can hold', () => {
    fc.assert(
      fc.property(validDate, uuid, (createdAt, id) => {
        expect(encodeCursor({ createdAt, id }).length).toBeLessThanOrEqual(200);
      }),
    );
  });

  it('answers garbage with a 400 validation_error and never another exception (property)', () => {
    const garbage = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ maxLength: 150 }).map(b64),
      fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })).map(([a, b]) => b64(`${a}|${b}`)),
    );
    fc.assert(
      fc.property(garbage, (cursor) => {
        const result = decodeOutcome(cursor);
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(ElyzorError);
          expect((result.error as ElyzorError).code).toBe('validation_error');
          expect((result.error as ElyzorError).status).toBe(400);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses the obvious malformed cursors', () => {
    for (const cursor of ['', '!', '%00', '....', b64('nothing'), b64('|'), b64('2026-01-01T00:00:00.000Z'), b64('2026-01-01T00:00:00.000Z|'), b64('not a date|00000000-0000-0000-0000-000000000000'), b64("2026-01-01T00:00:00.000Z|' or 1=1 --")]) {
      expectRefusal(cursor);
    }
  });

  it('accepts only ids that are UUIDs, so the query cannot fail on them (no false accepts)', () => {
    const idLike = fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), minLength: 36, maxLength: 36 });
    fc.assert(
      fc.property(validDate, idLike, (createdAt, id) => {
        const result = decodeOutcome(b64(`${createdAt.toISOString()}|${id}`));
        if (result.ok) expect(result.value.id, id).toMatch(CANONICAL_UUID);
        else expect((result.error as ElyzorError).code).toBe('validation_error');
      }),
      { numRuns: 300, examples: [[new Date(0), '-'.repeat(36)], [new Date(0), '0000000000000000000000000000000000-0']] },
    );
  });

  it('accepts only instants PostgreSQL can store, so the query cannot fail on them (no false accepts)', () => {
    fc.assert(
      fc.property(everyDate, uuid, (createdAt, id) => {
        const result = decodeOutcome(b64(`${createdAt.toISOString()}|${id}`));
        if (result.ok) expect(result.value.createdAt.getTime(), createdAt.toISOString()).toBeGreaterThanOrEqual(PG_MIN);
        else expect((result.error as ElyzorError).code).toBe('validation_error');
      }),
      { numRuns: 300, examples: [[new Date(-8_640_000_000_000_000), '00000000-0000-0000-0000-000000000000']] },
    );
  });
});
