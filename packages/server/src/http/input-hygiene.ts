import { validationError } from '@elyzor/core';

/**
 * What JSON and query strings may carry but PostgreSQL may not store: NUL characters (text and
 * jsonb refuse them) and lone UTF-16 surrogates (not valid Unicode, refused by jsonb). Requests
 * carrying them are refused with 400 up front instead of failing deep in a query.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function clean(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/**
 * A number JSON can carry but not hold: `1e309` parses to Infinity (stored as `null`), and an
 * integer beyond ±(2^53 − 1) has already lost digits when it arrives. Fractions are left alone:
 * they are approximate by nature.
 */
function holdable(value: number): boolean {
  return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
}

/**
 * Throws a 400 `validation_error` when any key, string or number anywhere in `value` is
 * unstorable. The walk uses its own stack, not recursion, and has no depth limit: whatever
 * nesting the 16 KB body allows is checked to the bottom.
 */
export function assertStorable(value: unknown, where: string): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (!clean(item)) throw validationError(`${where} contains a NUL character or invalid Unicode`);
    } else if (typeof item === 'number') {
      if (!holdable(item)) throw validationError(`${where} contains a number outside the safe range (integers up to ±9007199254740991, no infinities)`);
    } else if (Array.isArray(item)) {
      for (const child of item as unknown[]) pending.push(child);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (!clean(key)) throw validationError(`${where} contains a NUL character or invalid Unicode`);
        pending.push(child);
      }
    }
  }
}
