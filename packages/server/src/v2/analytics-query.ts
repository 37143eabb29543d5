/**
 * The common forms of Unkey's `analytics.getVerifications` query, parsed into a plan (pure; no
 * SQL runs here). Unkey takes ClickHouse SQL over its verification tables; Elyzor keeps counts
 * per key, outcome and minute (with hourly and daily roll-ups), so it answers the queries those
 * counts can: counts by outcome, by key, by API and by time bucket, filtered by outcome, key,
 * API and time. Anything else is refused with a message that says what is supported.
 *
 *   SELECT <item>[, …] FROM <table> [WHERE <cond> [AND <cond>]…] [GROUP BY <col>[, …]]
 *   [ORDER BY <col> [ASC|DESC][, …]] [LIMIT <n>]
 *
 * item: `outcome` | `key_id` | `key_space_id` | `time` | `toStartOf{Minute,Hour,Day,Week,Month}(time)`
 *       | `count(*)` | `sum(count)` | `countIf(outcome = '…')` | `sumIf(count, outcome = '…')`, each with an optional `AS alias`;
 * cond: `outcome|key_id|key_space_id = '…'` | `… IN ('…', …)` | `time >=|>|<=|< now() - INTERVAL <n> <unit>` | `time … <epoch ms>`.
 */

export const TABLES = {
  key_verifications_v1: 'minute',
  key_verifications_per_minute_v1: 'minute',
  key_verifications_per_hour_v1: 'hour',
  key_verifications_per_day_v1: 'day',
  key_verifications_per_month_v1: 'month',
} as const;
export type Table = keyof typeof TABLES;

export type Dimension = 'outcome' | 'key_id' | 'key_space_id';
export type Bucket = 'minute' | 'hour' | 'day' | 'week' | 'month';

export type SelectItem =
  | { kind: 'dimension'; column: Dimension; alias: string }
  | { kind: 'time'; bucket: Bucket | null; alias: string }
  | { kind: 'count'; outcome: string | null; /** sum(count) / sumIf: the rows' counts summed; else rows counted. */ sums: boolean; alias: string };

export type Condition =
  | { kind: 'equals'; column: Dimension; values: string[] }
  | { kind: 'time'; op: '>=' | '>' | '<=' | '<'; at: { ago: number } | { ms: number } };

export interface AnalyticsPlan {
  table: Table;
  select: SelectItem[];
  where: Condition[];
  /** Aliases of the select list's non-count items the rows are grouped by. */
  groupBy: string[];
  orderBy: Array<{ alias: string; desc: boolean }>;
  limit: number | null;
}

export class AnalyticsQueryError extends Error {}

const MAX_LIMIT = 10_000;
const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 2_592_000_000 };

/** Tokens: words, numbers, 'strings', and punctuation. */
function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(?:('(?:[^'\\]|\\.)*')|([A-Za-z_][A-Za-z0-9_.]*)|(\d+)|(>=|<=|!=|[(),*=<>+-]))/y;
  let at = 0;
  const text = query.trim().replace(/;\s*$/, '');
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) {
      if (/^\s+$/.test(text.slice(at))) break;
      throw new AnalyticsQueryError(`Unexpected text at ${at}: ${JSON.stringify(text.slice(at, at + 20))}`);
    }
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
    at = pattern.lastIndex;
  }
  return tokens;
}

class Cursor {
  private at = 0;
  constructor(private readonly tokens: string[]) {}
  peek(): string | undefined {
    return this.tokens[this.at];
  }
  isWord(word: string): boolean {
    return this.peek()?.toLowerCase() === word;
  }
  next(): string {
    const token = this.tokens[this.at];
    if (token === undefined) throw new AnalyticsQueryError('The query ends too early');
    this.at += 1;
    return token;
  }
  expect(word: string): void {
    const token = this.next();
    if (token.toLowerCase() !== word) throw new AnalyticsQueryError(`Expected ${word.toUpperCase()}, found ${JSON.stringify(token)}`);
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
}

const DIMENSIONS: readonly string[] = ['outcome', 'key_id', 'key_space_id'];
const BUCKETS: Record<string, Bucket> = { tostartofminute: 'minute', tostartofhour: 'hour', tostartofday: 'day', tostartofweek: 'week', tostartofmonth: 'month' };

function stringValue(token: string): string {
  if (!token.startsWith("'")) throw new AnalyticsQueryError(`Expected a 'quoted' value, found ${JSON.stringify(token)}`);
  return token.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** `outcome = 'VALID'` inside countIf / sumIf. */
function outcomeCondition(c: Cursor): string {
  c.expect('outcome');
  c.expect('=');
  return stringValue(c.next());
}

function selectItem(c: Cursor): SelectItem {
  const token = c.next();
  const word = token.toLowerCase();
  if (DIMENSIONS.includes(word)) return { kind: 'dimension', column: word as Dimension, alias: word };
  if (word === 'time') return { kind: 'time', bucket: null, alias: 'time' };
  if (BUCKETS[word] !== undefined) {
    c.expect('(');
    c.expect('time');
    c.expect(')');
    return { kind: 'time', bucket: BUCKETS[word], alias: token };
  }
  if (word === 'count') {
    c.expect('(');
    if (c.peek() === '*') c.next();
    c.expect(')');
    return { kind: 'count', outcome: null, alias: 'count()', sums: false };
  }
  if (word === 'sum') {
    c.expect('(');
    c.expect('count');
    c.expect(')');
    return { kind: 'count', outcome: null, alias: 'sum(count)', sums: true };
  }
  if (word === 'countif') {
    c.expect('(');
    const outcome = outcomeCondition(c);
    c.expect(')');
    return { kind: 'count', outcome, alias: 'countIf', sums: false };
  }
  if (word === 'sumif') {
    c.expect('(');
    c.expect('count');
    c.expect(',');
    const outcome = outcomeCondition(c);
    c.expect(')');
    return { kind: 'count', outcome, alias: 'sumIf', sums: true };
  }
  throw new AnalyticsQueryError(`Unsupported select item ${JSON.stringify(token)}: use outcome, key_id, key_space_id, time, toStartOfHour(time) (…Minute, Day, Week, Month), count(*), sum(count), countIf(outcome = '…') or sumIf(count, outcome = '…')`);
}

function timeValue(c: Cursor): { ago: number } | { ms: number } {
  if (c.isWord('now')) {
    c.next();
    c.expect('(');
    c.expect(')');
    if (c.peek() !== '-') return { ago: 0 };
    c.next();
    c.expect('interval');
    const amount = c.next();
    if (!/^\d+$/.test(amount)) throw new AnalyticsQueryError('INTERVAL takes a whole number');
    const unit = c.next().toLowerCase().replace(/s$/, '');
    const ms = UNIT_MS[unit];
    if (ms === undefined) throw new AnalyticsQueryError(`Unsupported INTERVAL unit ${JSON.stringify(unit)}`);
    return { ago: Number(amount) * ms };
  }
  const token = c.next();
  if (!/^\d{1,15}$/.test(token)) throw new AnalyticsQueryError('time is compared with now() - INTERVAL <n> <unit> or with epoch milliseconds');
  return { ms: Number(token) };
}

function condition(c: Cursor): Condition {
  const column = c.next().toLowerCase();
  if (column === 'time') {
    const op = c.next();
    if (op !== '>=' && op !== '>' && op !== '<=' && op !== '<') throw new AnalyticsQueryError(`Unsupported comparison of time: ${JSON.stringify(op)}`);
    return { kind: 'time', op, at: timeValue(c) };
  }
  if (!DIMENSIONS.includes(column)) throw new AnalyticsQueryError(`Unsupported filter on ${JSON.stringify(column)}: filter on outcome, key_id, key_space_id or time`);
  if (c.isWord('in')) {
    c.next();
    c.expect('(');
    const values = [stringValue(c.next())];
    while (c.peek() === ',') {
      c.next();
      values.push(stringValue(c.next()));
    }
    c.expect(')');
    return { kind: 'equals', column: column as Dimension, values };
  }
  c.expect('=');
  return { kind: 'equals', column: column as Dimension, values: [stringValue(c.next())] };
}

/** Parses a query; throws `AnalyticsQueryError` (a 400) for what it does not support. */
export function parseAnalyticsQuery(query: string): AnalyticsPlan {
  const c = new Cursor(tokenize(query));
  c.expect('select');
  const select: SelectItem[] = [];
  do {
    if (select.length > 0) c.next();
    const item = selectItem(c);
    if (c.isWord('as')) {
      c.next();
      item.alias = c.next();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(item.alias)) throw new AnalyticsQueryError(`Invalid alias ${JSON.stringify(item.alias)}`);
    }
    select.push(item);
  } while (c.peek() === ',');
  c.expect('from');
  const table = c.next().toLowerCase();
  if (!(table in TABLES)) throw new AnalyticsQueryError(`Unknown table ${JSON.stringify(table)}: query ${Object.keys(TABLES).join(', ')}`);
  if (table === 'key_verifications_v1' && select.some((i) => i.kind === 'count' && i.sums)) throw new AnalyticsQueryError('key_verifications_v1 has one row per verification (no count column): count them with count(*) or countIf(…)');
  const where: Condition[] = [];
  if (c.isWord('where')) {
    c.next();
    where.push(condition(c));
    while (c.isWord('and')) {
      c.next();
      where.push(condition(c));
    }
  }
  const groupBy: string[] = [];
  if (c.isWord('group')) {
    c.next();
    c.expect('by');
    do {
      if (groupBy.length > 0) c.next();
      groupBy.push(resolveAlias(select, c));
    } while (c.peek() === ',');
  }
  const orderBy: AnalyticsPlan['orderBy'] = [];
  if (c.isWord('order')) {
    c.next();
    c.expect('by');
    do {
      if (orderBy.length > 0) c.next();
      const alias = resolveAlias(select, c, true);
      let desc = false;
      if (c.isWord('desc') || c.isWord('asc')) desc = c.next().toLowerCase() === 'desc';
      orderBy.push({ alias, desc });
    } while (c.peek() === ',');
  }
  let limit: number | null = null;
  if (c.isWord('limit')) {
    c.next();
    const n = c.next();
    if (!/^\d+$/.test(n) || Number(n) < 1 || Number(n) > MAX_LIMIT) throw new AnalyticsQueryError(`LIMIT takes 1 to ${MAX_LIMIT}`);
    limit = Number(n);
  }
  if (!c.done()) throw new AnalyticsQueryError(`Unsupported clause at ${JSON.stringify(c.peek())}: SELECT … FROM … [WHERE …] [GROUP BY …] [ORDER BY …] [LIMIT n] only`);
  const plain = select.filter((item) => item.kind !== 'count');
  const counts = select.filter((item) => item.kind === 'count');
  if (counts.length > 0 && plain.some((item) => !groupBy.includes(item.alias))) throw new AnalyticsQueryError('Every selected column that is not a count must be in GROUP BY');
  if (counts.length === 0) throw new AnalyticsQueryError('Select at least one count: count(*), sum(count), countIf(…) or sumIf(…)');
  return { table: table as Table, select, where, groupBy, orderBy, limit };
}

/** A GROUP BY / ORDER BY entry: an alias of the select list, or the expression it names. */
function resolveAlias(select: SelectItem[], c: Cursor, countsToo = false): string {
  const start = c.peek() ?? '';
  if (BUCKETS[start.toLowerCase()] !== undefined) {
    const bucket = BUCKETS[start.toLowerCase()];
    c.next();
    c.expect('(');
    c.expect('time');
    c.expect(')');
    const found = select.find((item) => item.kind === 'time' && item.bucket === bucket);
    if (found === undefined) throw new AnalyticsQueryError(`${start}(time) is not selected`);
    return found.alias;
  }
  const name = c.next();
  const found = select.find((item) => item.alias === name || (item.kind === 'dimension' && item.column === name.toLowerCase()) || (item.kind === 'time' && item.bucket === null && name.toLowerCase() === 'time'));
  if (found === undefined || (!countsToo && found.kind === 'count')) throw new AnalyticsQueryError(`${JSON.stringify(name)} is not a selected column`);
  return found.alias;
}
