/**
 * The names of a credential's counters in the limiter, from its limit key (shared by a
 * credential and its rotations, so a rotation resets nothing). The one place these strings are
 * made: the verification path spends them, management probes them.
 */
export const rateLimitCounter = (limitKey: string): string => `rl:${limitKey}`;
export const quotaCounter = (limitKey: string): string => `q:${limitKey}`;
/** Credits are counted from the moment the balance was set: setting it again starts afresh. */
export const creditsCounter = (limitKey: string, setAt: number): string => `c:${limitKey}:${setAt}`;
/**
 * An identity's named rate limit (`/v2`): one counter per identity and name, shared by all the
 * identity's keys. Identity ids and credential limit keys are both ids of their own tables, so
 * the `identity:` segment keeps the two families of `rl:` counters apart.
 */
export const identityRateLimitCounter = (identityId: string, name: string): string => `rl:identity:${identityId}:${name}`;
