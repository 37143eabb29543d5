import { ElyzorError, type LimitCheck, type LimitRule } from '@elyzor/core';
import type { Deps } from '../deps.js';

export type IpBucket = 'auth' | 'verify';

/**
 * Per-address limits on the endpoints an attacker would hammer (register, login, verify).
 * Returns null when allowed, or the seconds to wait.
 */
export async function checkIpLimit(deps: Deps, bucket: IpBucket, ip: string): Promise<number | null> {
  const { ipLimits } = deps.config;
  const limit = bucket === 'auth' ? ipLimits.auth : ipLimits.verify;
  const result = await deps.limiter.consume([{ key: `ip:${bucket}:${ip}`, rule: { type: 'sliding_window', limit, windowMs: ipLimits.windowSeconds * 1000 } }], 1);
  if (result.allowed) return null;
  return Math.max(1, Math.ceil((result.decisions[0]?.retryAfterMs ?? 1000) / 1000));
}

/** For management routes: throws the standard 429. */
export async function enforceIpLimit(deps: Deps, bucket: IpBucket, ip: string): Promise<void> {
  const retryAfter = await checkIpLimit(deps, bucket, ip);
  if (retryAfter !== null) throw new ElyzorError('rate_limit_exceeded', 'Too many requests from this address', { retryAfter });
}

function failureRule(deps: Deps): LimitRule {
  return { type: 'sliding_window', limit: deps.config.ipLimits.verifyFailures, windowMs: deps.config.ipLimits.windowSeconds * 1000 };
}

/**
 * The caller checks of a verification: every request spends the address's verify budget, and
 * the address's failure budget is probed (cost 0). An address that keeps presenting unknown or
 * malformed credentials is refused with 429 once that budget is spent, while every other
 * address verifies as before.
 */
export function verifyCallerChecks(deps: Deps, ip: string): LimitCheck[] {
  const { ipLimits } = deps.config;
  return [
    { key: `ip:verify:${ip}`, rule: { type: 'sliding_window', limit: ipLimits.verify, windowMs: ipLimits.windowSeconds * 1000 } },
    { key: `ip:fail:${ip}`, rule: failureRule(deps), cost: 0 },
  ];
}

/** Spends one unit of the address's failure budget; off the response path, never throws. */
export function countFailedVerification(deps: Deps, ip: string): void {
  deps.limiter.consume([{ key: `ip:fail:${ip}`, rule: failureRule(deps) }], 1).catch(() => undefined);
}
