import { parse as parseCookies } from 'cookie';

/** The parts of an HTTP request (Express, Fastify, or a GraphQL context's `req`) that carry a key. */
export interface KeyCarrier {
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown> | null;
  cookies?: Record<string, unknown> | null;
  ip?: string;
  socket?: { remoteAddress?: string };
}

export interface KeySources {
  headerName: string;
  queryParamName: string;
  cookieName: string;
}

const first = (value: unknown): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/**
 * The key of a request, from the first source that has one: the `headerName` header, then
 * `Authorization: Bearer <key>`, then the query parameter, then the cookie (parsed by
 * cookie-parser when the app uses it, or from the `Cookie` header).
 */
export function extractApiKey(request: KeyCarrier, sources: KeySources): string | undefined {
  const headers = request.headers ?? {};
  const header = first(headers[sources.headerName.toLowerCase()]);
  if (header !== undefined) return header;
  const authorization = first(headers.authorization);
  if (authorization !== undefined && /^bearer\s+\S/i.test(authorization)) return authorization.replace(/^bearer\s+/i, '');
  const query = first(request.query?.[sources.queryParamName]);
  if (query !== undefined) return query;
  const parsed = first(request.cookies?.[sources.cookieName]);
  if (parsed !== undefined) return parsed;
  const cookieHeader = first(headers.cookie);
  return cookieHeader === undefined ? undefined : first(parseCookies(cookieHeader)[sources.cookieName]);
}

/** The caller's address as the app sees it (Express's `req.ip` honours `trust proxy`), without IPv4-mapped IPv6 wrapping. */
export function clientIp(request: KeyCarrier): string | undefined {
  const ip = request.ip ?? request.socket?.remoteAddress;
  if (ip === undefined) return undefined;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip;
}
