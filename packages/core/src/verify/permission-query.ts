import { ElyzorError } from '../errors.js';
import type { ScopeGrants } from './record.js';
import { missingScopes } from './scopes.js';

/**
 * Unkey's permission queries: permission names joined by `AND` and `OR` (case-insensitive),
 * with parentheses; `AND` binds tighter than `OR`, so `a OR b AND c` is `a OR (b AND c)`.
 *
 *   query := or ; or := and ("OR" and)* ; and := term ("AND" term)* ; term := name | "(" or ")"
 *
 * A name is granted as a `/v1/verify` scope is (`billing:*` grants `billing:read`), so `/v1` and
 * `/v2` agree on what a key may do.
 */
export type PermissionQuery = { name: string } | { and: PermissionQuery[] } | { or: PermissionQuery[] };

export const MAX_PERMISSION_QUERY_LENGTH = 1000;
const NAME = /^[A-Za-z0-9_.:*\-/]+$/;

/** Thrown for a query that does not parse: the edge answers 400 with `detail`. */
export const permissionQueryError = (detail: string): ElyzorError => new ElyzorError('validation_error', `permissions: ${detail}`);

function tokenize(query: string): string[] {
  if (query.length > MAX_PERMISSION_QUERY_LENGTH) throw permissionQueryError(`longer than ${MAX_PERMISSION_QUERY_LENGTH} characters`);
  return query.replaceAll('(', ' ( ').replaceAll(')', ' ) ').split(/\s+/).filter((t) => t !== '');
}

/** Parses a query; a syntax error throws `validation_error` naming what was wrong. */
export function parsePermissionQuery(query: string): PermissionQuery {
  const tokens = tokenize(query);
  if (tokens.length === 0) throw permissionQueryError('the query is empty');
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const isOp = (token: string | undefined, op: string): boolean => token !== undefined && token.toUpperCase() === op;
  const term = (): PermissionQuery => {
    const token = peek();
    if (token === undefined) throw permissionQueryError('the query ends where a permission was expected');
    if (token === '(') {
      at++;
      const inner = or();
      if (peek() !== ')') throw permissionQueryError('a parenthesis is not closed');
      at++;
      return inner;
    }
    if (token === ')' || isOp(token, 'AND') || isOp(token, 'OR')) throw permissionQueryError(`unexpected "${token}" where a permission was expected`);
    if (!NAME.test(token)) throw permissionQueryError(`"${token.slice(0, 60)}" is not a permission name`);
    at++;
    return { name: token };
  };
  const and = (): PermissionQuery => {
    const items = [term()];
    while (isOp(peek(), 'AND')) {
      at++;
      items.push(term());
    }
    return items.length === 1 ? (items[0] as PermissionQuery) : { and: items };
  };
  const or = (): PermissionQuery => {
    const items = [and()];
    while (isOp(peek(), 'OR')) {
      at++;
      items.push(and());
    }
    return items.length === 1 ? (items[0] as PermissionQuery) : { or: items };
  };
  const result = or();
  if (at < tokens.length) throw permissionQueryError(`unexpected "${tokens[at]}"${tokens[at] === ')' ? ' (no parenthesis to close)' : '; join permissions with AND or OR'}`);
  return result;
}

/** Whether the granted scopes satisfy the query. */
export function permits(query: PermissionQuery, granted: ScopeGrants): boolean {
  if ('name' in query) return missingScopes(granted, [query.name], undefined).length === 0;
  if ('and' in query) return query.and.every((q) => permits(q, granted));
  return query.or.some((q) => permits(q, granted));
}
