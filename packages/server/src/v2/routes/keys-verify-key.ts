import { allowsUnkeyAction, parsePermissionQuery, permits, type VerifyOutcome, type VerifyResult } from '@elyzor/core';
import { ctxOf } from '../../http/authenticate.js';
import type { Deps } from '../../deps.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { toIdentity } from '../identity-view.js';
import { findProjectRef } from '../../store/projects.js';
import { compact, envelope } from '../envelope.js';
import { V2Error } from '../errors.js';
import { DEFAULT_LIMIT_NAME } from '../key-view.js';
import { VerifyKeyBody } from '../schemas.js';
import { limitUse, sharedChecks } from '../verify-limits.js';
import { V2_ROUTE } from './route-options.js';

type Code = 'VALID' | 'NOT_FOUND' | 'FORBIDDEN' | 'DISABLED' | 'EXPIRED' | 'INSUFFICIENT_PERMISSIONS' | 'RATE_LIMITED' | 'USAGE_EXCEEDED';

/** The engine's outcomes as Unkey's codes. A deleted (revoked) key does not exist to Unkey's callers. */
export const CODE: Record<VerifyOutcome, Code> = {
  valid: 'VALID',
  invalid_key: 'NOT_FOUND',
  key_revoked: 'NOT_FOUND',
  service_revoked: 'NOT_FOUND',
  key_expired: 'EXPIRED',
  key_disabled: 'DISABLED',
  ip_not_allowed: 'FORBIDDEN',
  insufficient_scope: 'INSUFFICIENT_PERMISSIONS',
  rate_limit_exceeded: 'RATE_LIMITED',
  quota_exceeded: 'USAGE_EXCEEDED',
} as Record<VerifyOutcome, Code>;

/** Unkey checks `disabled` before `expired`; the engine reports expiry first. */
function codeOf(result: VerifyResult): Code {
  if (result.outcome === 'key_expired' && result.record?.enabled === false) return 'DISABLED';
  return CODE[result.outcome] ?? 'NOT_FOUND';
}

/**
 * POST /v2/keys.verifyKey: always 200 with `valid` and `code`, through the engine's verification
 * (one limiter, one usage record with `/v1/verify`), checked in Unkey's order: existence,
 * disabled, expired, IP, permissions, rate limit, then credits (a rate-limited call spends none).
 * The root key must hold `api.<apiId>.verify_key`; a key of another workspace is `NOT_FOUND`.
 */
export function registerKeysVerifyKey(scope: App, { deps, identities }: V2Context): void {
  // Projects never change workspace: their workspace is read once per process.
  const workspaces = new Map<string, string>();
  const workspaceOf = async (d: Deps, projectId: string): Promise<string | undefined> => {
    const known = workspaces.get(projectId);
    if (known !== undefined) return known;
    const project = await findProjectRef(d.db, projectId);
    if (project !== undefined) workspaces.set(projectId, project.workspaceId);
    return project?.workspaceId;
  };

  scope.post('/v2/keys.verifyKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Verify a key', body: VerifyKeyBody } }, async (request) => {
    const body = request.body;
    const { actor } = ctxOf(request);
    const query = body.permissions === undefined ? undefined : parsePermissionQuery(body.permissions);
    const record = await deps.verifier.find(body.key, 'key');
    if (record === null || actor.type !== 'root_key' || (await workspaceOf(deps, record.projectId)) !== actor.workspaceId) {
      return envelope(request, { valid: false, code: 'NOT_FOUND' });
    }
    if (!allowsUnkeyAction(actor.permissions, record.projectId, 'verify_key')) {
      throw new V2Error(403, 'authorization/insufficient_permissions', `The root key lacks the permission api.${record.projectId}.verify_key (or api.*.verify_key)`);
    }
    const identity = await identities.ofOwner(ctxOf(request), record.ownerId);
    const use = limitUse(record, identity, body.ratelimits);
    const result = await deps.verifier.verify({
      limits: sharedChecks(identity, use),
      token: body.key,
      kind: 'key',
      ip: request.ip,
      cost: use.cost,
      creditsCost: body.credits?.cost ?? 1,
      permits: query === undefined ? undefined : (granted) => permits(query, granted),
    });
    const code = codeOf(result);
    if (code === 'NOT_FOUND' || result.record === null) return envelope(request, { valid: false, code: 'NOT_FOUND' });
    const verified = result.record;
    const policy = verified.rateLimit;
    const ownLimit =
      use.applied && policy !== null && policy.algorithm === 'sliding_window' && result.rateLimit !== null
        ? [
            {
              exceeded: !result.rateLimit.allowed,
              id: `${verified.id}:${policy.name ?? DEFAULT_LIMIT_NAME}`,
              name: policy.name ?? DEFAULT_LIMIT_NAME,
              limit: policy.limit,
              duration: policy.windowSeconds * 1000,
              reset: result.rateLimit.resetAt,
              remaining: Math.max(0, result.rateLimit.remaining),
              autoApply: policy.autoApply !== false,
            },
          ]
        : [];
    const sharedLimits = use.shared.flatMap(({ limit }, i) => {
      const decision = result.limits?.[i];
      if (decision === undefined) return [];
      return [{ exceeded: !decision.allowed, id: limit.id, name: limit.name, limit: limit.limit, duration: limit.duration, reset: decision.resetAt, remaining: Math.max(0, decision.remaining), autoApply: limit.autoApply }];
    });
    const ratelimits = ownLimit.length + sharedLimits.length > 0 ? [...ownLimit, ...sharedLimits] : undefined;
    return envelope(
      request,
      compact({
        valid: code === 'VALID',
        code,
        keyId: verified.id,
        meta: verified.metadata ?? undefined,
        expires: verified.expiresAt ?? undefined,
        credits: verified.credits === null ? undefined : (result.credits?.remaining ?? undefined),
        enabled: verified.enabled,
        // Its own permissions and its roles' (the store adds those to its scopes), and its roles' names.
        permissions: verified.scopes.global.length > 0 ? [...verified.scopes.global] : undefined,
        roles: verified.roles !== undefined && verified.roles.length > 0 ? [...verified.roles] : undefined,
        identity: identity === undefined ? undefined : toIdentity(identity),
        ratelimits,
      }),
    );
  });
}
