import type { PolicyInput } from '@elyzor/core';
import type { Static } from 'typebox';
import { badRequest } from './errors.js';
import { INTERVAL_FROM_V2 } from './key-view.js';
import type { Credits, RatelimitRequest, Refill } from './schemas.js';

/**
 * Unkey's key fields as the engine's policy input. What Elyzor cannot hold is refused with a 400
 * that says so, never silently dropped: more than one rate limit per key, a refill on a day
 * other than the first of the month.
 */
export function refillInput(refill: Static<typeof Refill> | null | undefined): { amount: number; interval: 'day' | 'month' } | null {
  if (refill === undefined || refill === null) return null;
  if (refill.refillDay !== undefined && (refill.interval !== 'monthly' || refill.refillDay !== 1)) {
    throw badRequest('credits.refill.refillDay: Elyzor refills monthly credits on the 1st (UTC) only', 'body.credits.refill.refillDay', 'Omit refillDay or set it to 1');
  }
  return { amount: refill.amount, interval: INTERVAL_FROM_V2[refill.interval] };
}

export function creditsInput(credits: Static<typeof Credits>): PolicyInput['credits'] {
  if (credits.remaining === null) return null;
  return { remaining: credits.remaining, refill: refillInput(credits.refill) };
}

export function ratelimitInput(ratelimits: Array<Static<typeof RatelimitRequest>>): PolicyInput['rateLimit'] {
  if (ratelimits.length === 0) return null;
  if (ratelimits.length > 1) throw badRequest('ratelimits: Elyzor keeps one rate limit per key', 'body.ratelimits', 'Send one rate limit');
  const [limit] = ratelimits as [Static<typeof RatelimitRequest>];
  if (limit.duration % 1000 !== 0) throw badRequest('ratelimits[0].duration: must be whole seconds (a multiple of 1000 ms)', 'body.ratelimits[0].duration');
  return { algorithm: 'sliding_window', limit: limit.limit, windowSeconds: limit.duration / 1000, name: limit.name, autoApply: limit.autoApply ?? false };
}

export function expiresInput(expires: number | null): string | null {
  if (expires === null) return null;
  const date = new Date(expires);
  if (Number.isNaN(date.getTime())) throw badRequest('expires: not a valid time in epoch milliseconds', 'body.expires');
  return date.toISOString();
}
