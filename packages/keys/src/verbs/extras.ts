import { isIpOrCidr } from '@elyzor/core';
import type { ApiKeyMetadata } from '../types.js';

const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const nonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function fail(field: string, message: string): never {
  throw new TypeError(`create: metadata.${field} ${message}`);
}

function checkAddresses(field: string, list: unknown): void {
  if (!Array.isArray(list)) fail(field, 'must be an array of addresses or CIDR ranges');
  // The engine's rule, the one the service applies to the same fields.
  for (const entry of list) {
    if (typeof entry !== 'string' || !isIpOrCidr(entry)) fail(field, `has "${String(entry)}", which is not an address or CIDR range`);
  }
}

/**
 * Elyzor's extras, checked before a key is stored: a malformed limit would otherwise surface only
 * at the first verify. keypal's own fields are stored as given, as keypal does.
 */
export function checkExtras(input: Partial<ApiKeyMetadata>): void {
  const { rateLimit, quota, credits, attributes } = input;
  if (attributes != null && (typeof attributes !== 'object' || Array.isArray(attributes))) fail('attributes', 'must be an object');
  if (rateLimit != null) {
    if (rateLimit.algorithm !== 'sliding_window' && rateLimit.algorithm !== 'token_bucket') {
      fail('rateLimit.algorithm', "must be 'sliding_window' or 'token_bucket'");
    }
    if (!positiveInt(rateLimit.limit)) fail('rateLimit.limit', 'must be a positive integer');
    if (!positiveInt(rateLimit.windowSeconds)) fail('rateLimit.windowSeconds', 'must be a positive integer');
    if (rateLimit.algorithm === 'token_bucket' && !positiveInt(rateLimit.burst)) fail('rateLimit.burst', 'must be a positive integer');
  }
  if (quota != null) {
    if (!positiveInt(quota.limit)) fail('quota.limit', 'must be a positive integer');
    if (quota.period !== 'day' && quota.period !== 'month' && quota.period !== 'year') fail('quota.period', "must be 'day', 'month' or 'year'");
  }
  if (credits != null) {
    if (!nonNegative(credits.remaining) || !Number.isInteger(credits.remaining)) fail('credits.remaining', 'must be a non-negative integer');
    const refill = credits.refill;
    if (refill != null) {
      if (!positiveInt(refill.amount)) fail('credits.refill.amount', 'must be a positive integer');
      if (refill.interval !== 'day' && refill.interval !== 'month') fail('credits.refill.interval', "must be 'day' or 'month'");
    }
    if (credits.setAt !== undefined && Number.isNaN(new Date(credits.setAt).getTime())) fail('credits.setAt', 'must be a date');
  }
  if (input.ipAllowlist !== undefined) checkAddresses('ipAllowlist', input.ipAllowlist);
  if (input.ipDenylist !== undefined) checkAddresses('ipDenylist', input.ipDenylist);
  if (input.tags !== undefined && (!Array.isArray(input.tags) || !input.tags.every((t) => typeof t === 'string'))) {
    fail('tags', 'must be an array of strings');
  }
}
