import { allowsUnkeyAction, type Ctx, type UnkeyApiAction } from '@elyzor/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { MAX_AUTHORIZATION_LENGTH } from '../http/authenticate.js';
import type { RootKeyService } from '../services/root-keys.js';
import { V2Error } from './errors.js';

/**
 * Pre-handler of every authenticated `/v2` route, answering as Unkey does: no `Authorization`
 * header, or one that is not `Bearer <token>`, is a 400; a token that is no live root key is a 401;
 * a root key past its request budget (`ROOT_KEY_RATE_LIMIT`) is a 429 with `Retry-After`.
 * The root key is authenticated as on `/v1` (`RootKeyService.authenticate`): from this instance's
 * root-key cache once it has authenticated, which revocation, rotation and workspace deletion
 * empty on every instance through the invalidation bus.
 */
export function authenticateRootKey(rootKeys: RootKeyService, deps: Deps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw new V2Error(400, 'authentication/missing', 'Authorization header is missing; send `Authorization: Bearer <root key>`', [{ location: 'header.authorization', message: 'is missing', fix: 'Send `Authorization: Bearer <root key>`' }]);
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null || header.length > MAX_AUTHORIZATION_LENGTH) {
      throw new V2Error(400, 'authentication/malformed', 'Authorization header is malformed; expected `Bearer <root key>`', [{ location: 'header.authorization', message: 'is not `Bearer <root key>`' }]);
    }
    const actor = await rootKeys.authenticate(match[1] as string);
    if (actor.type === 'root_key') await spendBudget(deps, reply, actor.rootKeyId);
    request.ctx = { actor, requestId: String(request.id), ip: request.ip };
  };
}

/** One request of the root key's budget, on the shared limiter (every instance counts it). */
async function spendBudget(deps: Deps, reply: FastifyReply, rootKeyId: string): Promise<void> {
  const { limit, windowSeconds } = deps.config.rootKeyRateLimit;
  if (limit === null) return;
  const result = await deps.limiter.consume([{ key: `rk:${rootKeyId}`, rule: { type: 'sliding_window', limit, windowMs: windowSeconds * 1000 } }], 1);
  if (result.allowed) return;
  reply.header('retry-after', String(Math.max(1, Math.ceil((result.decisions[0]?.retryAfterMs ?? 1000) / 1000))));
  throw new V2Error(429, 'application/rate_limited', `The root key has made more than ${limit} requests in ${windowSeconds} s; retry after the Retry-After header's seconds`);
}

/** An Authorization header too long to be a root key, refused before any parsing (as `/v1` does, in Unkey's shape). */
export const authorizationTooLong = (): V2Error =>
  new V2Error(400, 'authentication/malformed', 'Authorization header is too long', [{ location: 'header.authorization', message: `is longer than ${MAX_AUTHORIZATION_LENGTH} characters` }]);

/** 403 unless the calling root key holds Unkey's `api.<projectId>.<action>` (or `api.*.<action>`). */
export function requireUnkeyAction(ctx: Ctx, projectId: string, action: UnkeyApiAction): void {
  const { actor } = ctx;
  if (actor.type === 'root_key' && allowsUnkeyAction(actor.permissions, projectId, action)) return;
  throw new V2Error(403, 'authorization/insufficient_permissions', `The root key lacks the permission api.${projectId}.${action} (or api.*.${action})`);
}
