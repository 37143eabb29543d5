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

/** Throws a 400 `validation_error` when any key or string value in `value` is unstorable. */
export function assertStorable(value: unknown, where: string, depth = 0): void {
  if (typeof value === 'string') {
    if (!clean(value)) throw validationError(`${where} contains a NUL character or invalid Unicode`);
    return;
  }
  if (typeof value !== 'object' || value === null || depth > 64) return;
  if (Array.isArray(value)) {
    for (const item of value) assertStorable(item, where, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!clean(key)) throw validationError(`${where} contains a NUL character or invalid Unicode`);
    assertStorable(item, where, depth + 1);
  }
}
