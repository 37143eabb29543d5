import type { CredentialView } from '@elyzor/core';
import type { IdentityRow } from '../store/identities.js';
import { compact } from './envelope.js';
import { toIdentity } from './identity-view.js';

/** Unkey's credits of a key: the balance and its refill. */
export interface V2Credits {
  remaining: number | null;
  refill?: { interval: 'daily' | 'monthly'; amount: number; refillDay?: number };
}

export interface V2Ratelimit {
  id: string;
  name: string;
  limit: number;
  duration: number;
  autoApply: boolean;
}

/** Unkey's name of a key's limit when it was made without one (through `/v1`). */
export const DEFAULT_LIMIT_NAME = 'default';

const ms = (iso: string | null): number | undefined => (iso === null ? undefined : Date.parse(iso));

export const INTERVAL_TO_V2 = { day: 'daily', month: 'monthly' } as const;
export const INTERVAL_FROM_V2 = { daily: 'day', monthly: 'month' } as const;

export function creditsOf(view: CredentialView): V2Credits | undefined {
  if (view.credits === null) return undefined;
  const { remaining, refill } = view.credits;
  return refill === null ? { remaining } : { remaining, refill: { interval: INTERVAL_TO_V2[refill.interval], amount: refill.amount } };
}

/** The key's rate limit as Unkey's list (Elyzor keeps one sliding window per key, always applied). */
export function ratelimitsOf(view: CredentialView): V2Ratelimit[] | undefined {
  const limit = view.rateLimit;
  if (limit === null || limit.algorithm === 'none') return undefined;
  return [{ id: `${view.id}:${limit.algorithm === 'sliding_window' ? (limit.name ?? DEFAULT_LIMIT_NAME) : DEFAULT_LIMIT_NAME}`, name: limit.algorithm === 'sliding_window' ? (limit.name ?? DEFAULT_LIMIT_NAME) : DEFAULT_LIMIT_NAME, limit: limit.limit, duration: limit.windowSeconds * 1000, autoApply: true }];
}

/**
 * A credential view as Unkey's `KeyResponseData`: optional fields omitted, times in epoch ms.
 * `identity` is the identity whose externalId is the key's owner, when there is one; `roles` are the names of its roles.
 */
export function toKeyResponse(view: CredentialView, identity?: IdentityRow, roles: readonly string[] = []): Record<string, unknown> {
  return compact({
    keyId: view.id,
    start: view.prefix,
    enabled: view.enabled,
    name: view.label ?? undefined,
    meta: view.metadata ?? undefined,
    createdAt: Date.parse(view.createdAt),
    updatedAt: ms(view.updatedAt),
    lastUsedAt: ms(view.lastUsedAt),
    expires: ms(view.expiresAt),
    permissions: view.scopes.length > 0 ? view.scopes : undefined,
    roles: roles.length > 0 ? [...roles] : undefined,
    credits: creditsOf(view),
    identity: identity === undefined ? undefined : toIdentity(identity),
    ratelimits: ratelimitsOf(view),
  });
}
