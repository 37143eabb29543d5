import { identityRateLimitCounter, type CredentialRecord, type LimitCheck } from '@elyzor/core';
import type { Static } from 'typebox';
import type { IdentityRatelimit } from '../db/schema.js';
import type { IdentityRow } from '../store/identities.js';
import { badRequest, V2Error } from './errors.js';
import { DEFAULT_LIMIT_NAME } from './key-view.js';
import type { VerifyKeyBody } from './schemas.js';

export interface LimitUse {
  /** The key's own rate limit's cost for this verification: 0 leaves an unrequested, not auto-applied limit untouched. */
  cost: number;
  applied: boolean;
  /** The identity's limits this verification spends (auto-applied or named), with their costs. */
  shared: Array<{ limit: IdentityRatelimit; cost: number }>;
}

/**
 * What the verification spends of the key's one limit and of its identity's limits, as Unkey
 * decides: `autoApply` limits always, others when the request names them (with their `cost`). A
 * key's limit hides an identity's of the same name. A name that neither has is a 412 (Unkey's
 * answer); limits made up in the request itself are not supported.
 */
export function limitUse(record: CredentialRecord, identity: IdentityRow | undefined, requested: Static<typeof VerifyKeyBody>['ratelimits']): LimitUse {
  const policy = record.rateLimit;
  const own = policy !== null && policy.algorithm !== 'none';
  const name = policy?.algorithm === 'sliding_window' ? (policy.name ?? DEFAULT_LIMIT_NAME) : DEFAULT_LIMIT_NAME;
  const autoApply = policy === null || policy.algorithm !== 'sliding_window' || policy.autoApply !== false;
  const use: LimitUse = { cost: autoApply ? 1 : 0, applied: autoApply && policy !== null, shared: [] };
  const shared = new Map((identity?.ratelimits ?? []).filter((limit) => !own || limit.name !== name).map((limit) => [limit.name, { limit, cost: limit.autoApply ? 1 : -1 }]));
  for (const limit of requested ?? []) {
    const ofIdentity = shared.get(limit.name);
    if (ofIdentity !== undefined) {
      ofIdentity.cost = limit.cost ?? 1;
      continue;
    }
    if (!own || limit.name !== name) {
      if (limit.limit !== undefined || limit.duration !== undefined) throw badRequest(`ratelimits: a limit defined in the request ("${limit.name}") is not supported; set it on the key or its identity`, 'body.ratelimits');
      throw new V2Error(412, 'application/precondition_failed', `Neither the key nor its identity has a rate limit named "${limit.name}"`);
    }
    use.cost = limit.cost ?? 1;
    use.applied = true;
  }
  use.shared = [...shared.values()].filter((entry) => entry.cost >= 0);
  return use;
}

/** The limiter's checks of an identity's limits: one counter per identity and name, shared by all its keys. */
export function sharedChecks(identity: IdentityRow | undefined, use: LimitUse): LimitCheck[] {
  if (identity === undefined) return [];
  return use.shared.map(({ limit, cost }) => ({ key: identityRateLimitCounter(identity.id, limit.name), rule: { type: 'sliding_window', limit: limit.limit, windowMs: limit.duration }, cost }));
}
