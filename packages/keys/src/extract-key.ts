import type { HeadersLike } from './types.js';

export interface KeyExtractionOptions {
  headerNames?: string[];
  extractBearer?: boolean;
}

export const DEFAULT_HEADER_NAMES: readonly string[] = ['authorization', 'x-api-key'];

function header(headers: HeadersLike, name: string): string | null {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name);
  const plain = headers as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  // Node's IncomingMessage headers are lower-case already; plain objects may not be.
  const direct = Object.hasOwn(plain, lower) ? plain[lower] : undefined;
  const value = direct ?? Object.entries(plain).find(([key]) => key.toLowerCase() === lower)?.[1];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** A header value as a key: trimmed, and without its `Bearer ` scheme when `extractBearer`. */
function fromValue(value: string, extractBearer: boolean): string | null {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'bearer') return null;
  if (extractBearer && trimmed.toLowerCase().startsWith('bearer ')) {
    const token = trimmed.slice(7).trim();
    return token === '' ? null : token;
  }
  return trimmed;
}

/**
 * The API key in `headers`: the first of `headerNames` (default `authorization`, then
 * `x-api-key`) that holds a non-empty value. Works with a `Headers` object (fetch, Hono) or a
 * plain object (Node, Express, Fastify), whose names are matched case-insensitively.
 */
export function extractKeyFromHeaders(headers: HeadersLike, options: KeyExtractionOptions = {}): string | null {
  const names = options.headerNames ?? DEFAULT_HEADER_NAMES;
  const extractBearer = options.extractBearer ?? true;
  for (const name of names) {
    const value = header(headers, name);
    if (value === null || value === '') continue;
    const key = fromValue(value, extractBearer);
    if (key !== null) return key;
  }
  return null;
}

export function hasApiKey(headers: HeadersLike, options: KeyExtractionOptions = {}): boolean {
  return extractKeyFromHeaders(headers, options) !== null;
}
