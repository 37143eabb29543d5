import { InvalidArgumentError } from 'commander';

/*
 * Option values, parsed as commander reads them: a malformed one is a usage error (exit 2)
 * before anything is sent. Each parser returns the field's shape in the API's bodies.
 */

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** `90s`, `15m`, `12h`, `7d`, `2w`, or plain seconds → seconds. */
export function seconds(value: string): number {
  const match = /^(\d+)(s|m|h|d|w)?$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('expected a duration: seconds, or a number with s, m, h, d or w (90s, 15m, 12h, 7d)');
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
}

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(value);
}

export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** Comma-separated and repeatable: `--scopes a,b --scopes c` → `['a', 'b', 'c']`. */
export function list(value: string, previous: string[] = []): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected one or more comma-separated values');
  return [...previous, ...items];
}

/** An ISO date-time (`2027-01-31`, `2027-01-31T12:00:00Z`) or a duration from now (`30d`) → ISO. */
export function when(value: string): string {
  if (/^\d+(s|m|h|d|w)$/.test(value.trim())) return new Date(Date.now() + seconds(value) * 1000).toISOString();
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new InvalidArgumentError('expected an ISO date (2027-01-31, 2027-01-31T12:00:00Z) or a duration from now (30d, 12h)');
  return new Date(time).toISOString();
}

export type RateLimit = { limit: number; windowSeconds: number } | { algorithm: 'none' };

/** `100/60s`, `1000/1h`, `10/s` (a sliding window), or `none` (no limit at all). */
export function rateLimit(value: string): RateLimit {
  if (value.trim() === 'none') return { algorithm: 'none' };
  const match = /^(\d+)\/(\d*)(s|m|h|d)$/.exec(value.trim());
  if (match === null || Number(match[1]) < 1 || match[2] === '0') throw new InvalidArgumentError('expected <requests>/<window>, e.g. 100/60s, 1000/1h, 10/s, or none');
  return { limit: Number(match[1]), windowSeconds: Number(match[2] === '' ? 1 : match[2]) * (UNITS[match[3] ?? 's'] ?? 1) };
}

export type Period = 'day' | 'month';

/** `<amount>/day` or `<amount>/month` (the quota's and the refill's shape). */
function perPeriod(value: string): { amount: number; period: Period } {
  const match = /^(\d+)\/(day|month)$/.exec(value.trim());
  if (match === null || Number(match[1]) < 1) throw new InvalidArgumentError('expected <amount>/day or <amount>/month, e.g. 10000/month');
  return { amount: Number(match[1]), period: match[2] as Period };
}

export function quota(value: string): { limit: number; period: Period } {
  const { amount, period } = perPeriod(value);
  return { limit: amount, period };
}

export function refill(value: string): { amount: number; interval: Period } {
  const { amount, period } = perPeriod(value);
  return { amount, interval: period };
}

/** `--resource project:123=read,write` (repeatable) → `{ 'project:123': ['read', 'write'] }`. */
export function resource(value: string, previous: Record<string, string[]> = {}): Record<string, string[]> {
  const at = value.lastIndexOf('=');
  const name = value.slice(0, at).trim();
  if (at < 1 || name === '') throw new InvalidArgumentError('expected <resource>=<scope>[,<scope>…], e.g. project:123=read,write');
  return { ...previous, [name]: list(value.slice(at + 1), previous[name] ?? []) };
}

export function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected a JSON object, e.g. \'{"plan":"pro"}\'');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object, e.g. \'{"plan":"pro"}\'');
  return parsed as Record<string, unknown>;
}
