import { RATELIMIT_NAMESPACE_PATTERN, UNKEY_IDENTITY_ACTIONS, UNKEY_RATELIMIT_ACTIONS } from '@elyzor/contract';

/**
 * Unkey's permissions of its workspace-wide services: `identity.*.<action>` for identities, and
 * `ratelimit.*.<action>` or `ratelimit.<namespace>.<action>` for the standalone rate limiter (a
 * namespace named by its id or by its name).
 */
export type UnkeyIdentityAction = (typeof UNKEY_IDENTITY_ACTIONS)[number];
export type UnkeyRatelimitAction = (typeof UNKEY_RATELIMIT_ACTIONS)[number];

const NAMESPACE = new RegExp(`^${RATELIMIT_NAMESPACE_PATTERN}$`);

/** Whether `permission` is one of the two grammars above. */
export function isUnkeyServicePermission(permission: string): boolean {
  const [kind, target = '', action = '', ...rest] = permission.split('.');
  if (rest.length > 0) return false;
  if (kind === 'identity') return target === '*' && (UNKEY_IDENTITY_ACTIONS as readonly string[]).includes(action);
  if (kind === 'ratelimit') return (target === '*' || NAMESPACE.test(target)) && (UNKEY_RATELIMIT_ACTIONS as readonly string[]).includes(action);
  return false;
}

/** Whether the permissions hold `identity.*.<action>`. */
export const allowsIdentityAction = (permissions: readonly string[], action: UnkeyIdentityAction): boolean => permissions.includes(`identity.*.${action}`);

/**
 * Whether the permissions hold `ratelimit.<namespace>.<action>` for this namespace (by its id or
 * its name) or `ratelimit.*.<action>`. A namespace not made yet has no id: pass its name alone.
 */
export function allowsRatelimitAction(permissions: readonly string[], namespace: { id?: string | undefined; name: string }, action: UnkeyRatelimitAction): boolean {
  return permissions.some((p) => p === `ratelimit.*.${action}` || p === `ratelimit.${namespace.name}.${action}` || (namespace.id !== undefined && p.toLowerCase() === `ratelimit.${namespace.id.toLowerCase()}.${action}`));
}
