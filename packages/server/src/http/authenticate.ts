import { ElyzorError, type Ctx } from '@elyzor/core';
import type { FastifyRequest } from 'fastify';
import type { AccessClaims } from '../auth/access-tokens.js';
import type { Deps } from '../deps.js';
import { RootKeyService } from '../services/root-keys.js';

export const MAX_AUTHORIZATION_LENGTH = 200;

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const space = header.indexOf(' ');
  if (space !== 6 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}

/** Root keys are told from access tokens by their prefix (a JWT starts with `ey`). */
const ROOT_KEY_PREFIX = 'rk_';

/**
 * Pre-handler of every management route: a valid HS256 access token, not denied (logged out),
 * of a user that still exists; or a root key (`rk_live_…`), live at this very request (cached per
 * instance by its digest and dropped through the invalidation bus, so revocation, rotation and
 * expiry hold at once on every instance). Sets
 * `request.ctx` (and `request.claims` for a person); otherwise 401.
 */
export function authenticate(deps: Deps) {
  const rootKeys = new RootKeyService(deps);
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (token?.startsWith(ROOT_KEY_PREFIX) === true) {
      const actor = await rootKeys.authenticate(token);
      request.ctx = { actor, requestId: String(request.id), ip: request.ip };
      return;
    }
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

/** The access token's claims of a route behind `authenticate` (auth routes act on the person's session); a root key is no person (403). */
export function claimsOf(request: FastifyRequest): AccessClaims {
  if (request.claims === null) {
    if (request.ctx?.actor.type === 'root_key') throw new ElyzorError('forbidden', 'A root key acts on its workspace, not as a person', { details: { action: 'account' } });
    throw new Error('route is missing the authenticate pre-handler');
  }
  return request.claims;
}

/** The signed-in user of a route behind `authenticate` (auth routes act on the person, not a project); a root key is no person (403). */
export function userIdOf(request: FastifyRequest): string {
  return claimsOf(request).userId;
}

/** Whom per-caller bounds (heavy reads) count against: the person, or the root key. */
export function callerIdOf(request: FastifyRequest): string {
  const actor = ctxOf(request).actor;
  return actor.type === 'root_key' ? actor.rootKeyId : userIdOf(request);
}
