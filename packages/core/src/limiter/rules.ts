/**
 * Limiter algorithms as pure functions: given the stored state, the rule, the time and the cost,
 * decide and return the next state. Both the in-process limiter and the Redis script implement
 * exactly these decisions (the Lua in the server mirrors this file).
 */

/** Sliding window counter: the previous window's count, weighted by how much of it still overlaps. */
export interface SlidingWindowRule {
  type: 'sliding_window';
  limit: number;
  windowMs: number;
}

/** Token bucket: `burst` tokens at most, refilled at `limit` per `windowMs`. */
export interface TokenBucketRule {
  type: 'token_bucket';
  limit: number;
  windowMs: number;
  burst: number;
}

/** A fixed period with explicit bounds (a quota per calendar day or month). */
export interface FixedWindowRule {
  type: 'fixed_window';
  limit: number;
  windowStart: number;
  windowEnd: number;
}

export type LimitRule = SlidingWindowRule | TokenBucketRule | FixedWindowRule;

/** Stored state; the meaning of the three numbers depends on the rule type. */
export type LimitState = readonly [number, number, number];

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the limit is fully available again (ms epoch). */
  resetAt: number;
  /** How long to wait before a request of the same cost can succeed; 0 when allowed. */
  retryAfterMs: number;
}

export interface RuleOutcome {
  decision: LimitDecision;
  /** The state to store if the request is admitted (every check of it allowed). */
  next: LimitState;
  /** How long the state must be kept. */
  ttlMs: number;
}

/** state = [windowStart, currentCount, previousCount] */
export function slidingWindow(state: LimitState | undefined, rule: SlidingWindowRule, now: number, cost: number): RuleOutcome {
  const { limit, windowMs } = rule;
  const windowStart = now - (now % windowMs);
  let current = 0;
  let previous = 0;
  if (state !== undefined) {
    if (state[0] === windowStart) {
      current = state[1];
      previous = state[2];
    } else if (state[0] === windowStart - windowMs) {
      previous = state[1];
    }
  }
  // ceil: a burst at the end of the previous window still counts in full at the boundary, so a
  // burst straddling the boundary gets no more than `limit` through before windowMs / limit has
  // passed. (Beyond that this is the usual estimate: the previous window's requests are assumed
  // to be spread evenly over it.) Integer arithmetic keeps the rounding exact.
  const carried = weightLeft(previous, now - windowStart, windowMs);
  const used = carried + current;
  // Fully available once everything counted has aged out: this window's count carries through
  // the next window, the previous window's through this one.
  const resetAt = (counted: number): number =>
    counted > 0 ? windowStart + 2 * windowMs : previous > 0 ? windowStart + windowMs : now;
  if (used + cost > limit) {
    let retryAfterMs: number;
    if (cost > limit) {
      retryAfterMs = windowStart + windowMs - now;
    } else if (current + cost > limit) {
      // This window alone is full, and it carries in full into the next one: wait into the next
      // window until its weight has fallen to (limit - cost).
      retryAfterMs = windowStart + windowMs + agedOut(current, limit - cost, windowMs) - now;
    } else {
      // The carried weight must fall to (limit - current - cost).
      retryAfterMs = windowStart + agedOut(previous, limit - current - cost, windowMs) - now;
    }
    return {
      decision: { allowed: false, limit, remaining: Math.max(0, limit - used), resetAt: resetAt(current), retryAfterMs: Math.max(1, retryAfterMs) },
      next: [windowStart, current, previous],
      ttlMs: 2 * windowMs,
    };
  }
  return {
    decision: { allowed: true, limit, remaining: limit - used - cost, resetAt: resetAt(current + cost), retryAfterMs: 0 },
    next: [windowStart, current + cost, previous],
    ttlMs: 2 * windowMs,
  };
}

/** What a window's `count` still weighs `offset` ms into the next window, rounded up. */
function weightLeft(count: number, offset: number, windowMs: number): number {
  return Math.ceil((count * (windowMs - offset)) / windowMs);
}

/** The first offset into the next window at which `count` weighs no more than `target`. */
function agedOut(count: number, target: number, windowMs: number): number {
  return Math.ceil((windowMs * (count - target)) / count);
}

/** state = [tokens, lastRefillAt, 0] */
export function tokenBucket(state: LimitState | undefined, rule: TokenBucketRule, now: number, cost: number): RuleOutcome {
  const { limit, windowMs, burst } = rule;
  const perMs = limit / windowMs;
  const tokens = state === undefined ? burst : Math.min(burst, state[0] + Math.max(0, now - state[1]) * perMs);
  const fullIn = Math.ceil((burst - tokens) / perMs);
  const ttlMs = Math.ceil(burst / perMs) + 1000;
  if (tokens < cost) {
    let retryAfterMs = Math.max(1, Math.ceil((cost - tokens) / perMs));
    if (state !== undefined && cost <= burst) {
      // The closed form can be 1 ms off in floating point: settle it against the refill a retry
      // will compute, so that waiting exactly retryAfterMs succeeds and 1 ms less does not.
      const refilled = (at: number): number => Math.min(burst, state[0] + Math.max(0, at - state[1]) * perMs);
      while (refilled(now + retryAfterMs) < cost) retryAfterMs++;
      while (retryAfterMs > 1 && refilled(now + retryAfterMs - 1) >= cost) retryAfterMs--;
    }
    return {
      decision: {
        allowed: false,
        limit: burst,
        remaining: Math.floor(tokens),
        resetAt: now + fullIn,
        retryAfterMs,
      },
      next: [tokens, now, 0],
      ttlMs,
    };
  }
  const left = tokens - cost;
  return {
    decision: { allowed: true, limit: burst, remaining: Math.floor(left), resetAt: now + Math.ceil((burst - left) / perMs), retryAfterMs: 0 },
    next: [left, now, 0],
    ttlMs,
  };
}

/** state = [windowStart, count, 0] */
export function fixedWindow(state: LimitState | undefined, rule: FixedWindowRule, now: number, cost: number): RuleOutcome {
  const { limit, windowStart, windowEnd } = rule;
  const used = state !== undefined && state[0] === windowStart ? state[1] : 0;
  const ttlMs = Math.max(1000, windowEnd - now);
  if (used + cost > limit) {
    return {
      decision: { allowed: false, limit, remaining: Math.max(0, limit - used), resetAt: windowEnd, retryAfterMs: Math.max(1, windowEnd - now) },
      next: [windowStart, used, 0],
      ttlMs,
    };
  }
  return {
    decision: { allowed: true, limit, remaining: limit - used - cost, resetAt: windowEnd, retryAfterMs: 0 },
    next: [windowStart, used + cost, 0],
    ttlMs,
  };
}

function dispatch(state: LimitState | undefined, rule: LimitRule, now: number, cost: number): RuleOutcome {
  switch (rule.type) {
    case 'sliding_window':
      return slidingWindow(state, rule, now, cost);
    case 'token_bucket':
      return tokenBucket(state, rule, now, cost);
    case 'fixed_window':
      return fixedWindow(state, rule, now, cost);
  }
}

/**
 * Decides one check. A cost of 0 is a probe: it asks whether one more unit would fit, and is
 * refused exactly when a request of cost 1 would be; it spends nothing.
 */
export function applyRule(state: LimitState | undefined, rule: LimitRule, now: number, cost: number): RuleOutcome {
  if (cost > 0) return dispatch(state, rule, now, cost);
  const unspent = dispatch(state, rule, now, 0);
  const one = dispatch(state, rule, now, 1);
  const decision = one.decision.allowed ? { ...one.decision, remaining: one.decision.remaining + 1 } : one.decision;
  return { decision, next: unspent.next, ttlMs: unspent.ttlMs };
}
