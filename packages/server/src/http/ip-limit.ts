import { ElyzorError } from '@elyzor/core';
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

/**
 * The per-address gate of both verify endpoints, decided in process (no Redis round trip, so a
 * flood of garbage costs a map lookup): every request spends a unit of the address's verify
 * budget and, provisionally, of its failure budget; `settleVerification` gives the failure unit
 * back when the verification did not fail. Spending before the lookup means a burst of
 * concurrent unknown keys cannot all pass the gate before the first one is counted. An address
 * that keeps presenting unknown or malformed credentials gets 429 once its failure budget is
 * spent, while every other address verifies as before. These limits are per instance by design:
 * they guard the instance, not an account. Returns null when allowed, or the seconds to wait.
 */
export function verifyGate(deps: Deps, ip: string): number | null {
  const { ipLimits } = deps.config;
  const windowMs = ipLimits.windowSeconds * 1000;
  const result = deps.localLimiter.consumeSync(
    [
      { key: `ip:verify:${ip}`, rule: { type: 'sliding_window', limit: ipLimits.verify, windowMs } },
      { key: `ip:fail:${ip}`, rule: { type: 'sliding_window', limit: ipLimits.verifyFailures, windowMs } },
    ],
    1,
  );
  if (result.allowed) return null;
  return Math.max(1, Math.ceil((result.decisions[result.failed]?.retryAfterMs ?? 1000) / 1000));
}

/** After a verification that passed the gate: only an unknown or malformed credential keeps its failure unit. */
export function settleVerification(deps: Deps, ip: string, failed: boolean): void {
  if (!failed) deps.localLimiter.refund(`ip:fail:${ip}`, 1);
}
