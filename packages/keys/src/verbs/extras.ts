import { ElyzorError, validatePolicy, type PolicyInput } from '@elyzor/core';
import type { ApiKeyMetadata } from '../types.js';

/** Where a message says the bad field is: the verb, and the object the field is in. */
type Where = 'create: metadata.' | 'rotate: metadata.' | 'update: ';

const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const nonNegativeInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: Where, field: string, message: string): never {
  throw new TypeError(`${where}${field} ${message}`);
}

/**
 * The shapes, checked here because the library's input is a caller's object, not a wire body:
 * in the service the contract's schemas check them before the engine sees the input, and the
 * engine's `validatePolicy` assumes they hold. The library's own readings stay: a quota may be
 * per 'year' (nest-api-key-auth's 'yearly'), a token bucket names its `burst`.
 */
function checkShapes(where: Where, input: Partial<ApiKeyMetadata>): void {
  const { rateLimit, quota, credits, attributes } = input;
  if (attributes != null && !isObject(attributes)) fail(where, 'attributes', 'must be an object');
  if (rateLimit != null) {
    if (rateLimit.algorithm !== 'sliding_window' && rateLimit.algorithm !== 'token_bucket') {
      fail(where, 'rateLimit.algorithm', "must be 'sliding_window' or 'token_bucket'");
    }
    if (!positiveInt(rateLimit.limit)) fail(where, 'rateLimit.limit', 'must be a positive integer');
    if (!positiveInt(rateLimit.windowSeconds)) fail(where, 'rateLimit.windowSeconds', 'must be a positive integer');
    if (rateLimit.algorithm === 'token_bucket' && !positiveInt(rateLimit.burst)) fail(where, 'rateLimit.burst', 'must be a positive integer');
  }
  if (quota != null) {
    if (!positiveInt(quota.limit)) fail(where, 'quota.limit', 'must be a positive integer');
    if (quota.period !== 'day' && quota.period !== 'month' && quota.period !== 'year') fail(where, 'quota.period', "must be 'day', 'month' or 'year'");
  }
  if (credits != null) {
    if (!nonNegativeInt(credits.remaining)) fail(where, 'credits.remaining', 'must be a non-negative integer');
    const refill = credits.refill;
    if (refill != null) {
      if (!positiveInt(refill.amount)) fail(where, 'credits.refill.amount', 'must be a positive integer');
      if (refill.interval !== 'day' && refill.interval !== 'month') fail(where, 'credits.refill.interval', "must be 'day' or 'month'");
    }
    if (credits.setAt !== undefined && Number.isNaN(new Date(credits.setAt).getTime())) fail(where, 'credits.setAt', 'must be a date');
  }
  for (const field of ['ipAllowlist', 'ipDenylist'] as const) {
    const list = input[field];
    if (list !== undefined && (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string'))) {
      fail(where, field, 'must be an array of addresses or CIDR ranges');
    }
  }
  if (input.tags !== undefined && (!Array.isArray(input.tags) || !input.tags.every((t) => typeof t === 'string'))) {
    fail(where, 'tags', 'must be an array of strings');
  }
}

/**
 * The engine's input for the fields whose rules the library shares with the service: IP rules,
 * rate limit, credits. Not given to it: the quota (the engine's rules for it are the schema's
 * shape, checked above, and its periods lack the library's 'year'); `attributes`, which the engine
 * would hold to the service's 4 KB of `metadata` while keypal stores the app's document as given
 * in the app's own database; `expiresAt` and `tags`, which keypal stores as given (lower-cased).
 */
function policyInput(input: Partial<ApiKeyMetadata>): PolicyInput {
  const policy: PolicyInput = {};
  if (input.ipAllowlist !== undefined) policy.ipAllowlist = input.ipAllowlist;
  if (input.ipDenylist !== undefined) policy.ipDenylist = input.ipDenylist;
  const { rateLimit, credits } = input;
  // A `burst` on a sliding window is the engine's to refuse (it would be silently ignored).
  if (rateLimit != null) policy.rateLimit = { ...rateLimit };
  if (credits != null) policy.credits = { remaining: credits.remaining, refill: credits.refill ?? null };
  return policy;
}

/**
 * Elyzor's extras, checked before a key is stored (a malformed limit would otherwise surface only
 * at the first verify): their shapes here, then the engine's `validatePolicy`, the rules the
 * service applies to the same fields. A refusal is a TypeError naming the field. keypal's own
 * fields are stored as given, as keypal does.
 */
export function checkExtras(where: Where, input: Partial<ApiKeyMetadata>, now: number): void {
  checkShapes(where, input);
  try {
    validatePolicy(policyInput(input), now);
  } catch (error) {
    // The engine's messages start with the field's name, as the library's do.
    if (error instanceof ElyzorError) throw new TypeError(`${where}${error.message}`);
    throw error;
  }
}
