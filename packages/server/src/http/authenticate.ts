import { ElyzorError, type Ctx } from '@elyzor/core';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';

export const MAX_AUTHORIZATION_LENGTH = 200;

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const space = header.indexOf(' ');
  if (space !== 6 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

/**
 * Pre-handler of every management route: a valid HS256 access token, not denied (logged out),
 * of a user that still exists. Sets `request.ctx` and `request.claims`; otherwise 401.
 */
export function authenticate(deps: Deps) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    const claims = token === undefined ? null : await deps.accessTokens.verify(token);
    if (claims === null || (await deps.denylist.has(claims.jti))) {
      throw new ElyzorError('unauthorized', 'Missing, invalid or expired access token');
    }
    const user = await deps.db.selectFrom('users').select('id').where('id', '=', claims.userId).executeTakeFirst();
    if (user === undefined) throw new ElyzorError('unauthorized', 'Missing, invalid or expired access token');
    request.claims = claims;
    request.ctx = { actor: { type: 'user', userId: claims.userId }, requestId: String(request.id), ip: request.ip };
  };
}

/** The caller set by `authenticate`, for the engine's verbs; a route without that pre-handler calling this is a bug. */
export function ctxOf(request: FastifyRequest): Ctx {
  if (request.ctx === null) throw new Error('route is missing the authenticate pre-handler');
  return request.ctx;
}

/** The signed-in user of a route behind `authenticate` (auth routes act on the person, not a project). */
export function userIdOf(request: FastifyRequest): string {
  if (request.claims === null) throw new Error('route is missing the authenticate pre-handler');
  return request.claims.userId;
}
