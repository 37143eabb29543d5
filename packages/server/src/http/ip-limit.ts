import { ElyzorError } from '@elyzor/core';
import type { Deps } from '../deps.js';

export type IpBucket = 'auth' | 'verify';

/**
 * Per-address limits on the endpoints an attacker would hammer (register, login). The verify
 * endpoints have their own in-process gate (`verify-gate.ts`).
 * Returns null when allowed, or the seconds to wait.
 */
export async function checkIpLimit(deps: Deps, bucket: IpBucket, ip: string): Promise<number | null> {
  const { ipLimits } = deps.config;
  const limit = bucket === 'auth' ? ipLimits.auth : ipLimits.verify;
  if (limit === null) return null;
  const result = await deps.limiter.consume([{ key: `ip:${bucket}:${ip}`, rule: { type: 'sliding_window', limit, windowMs: ipLimits.windowSeconds * 1000 } }], 1);
  if (result.allowed) return null;
  return Math.max(1, Math.ceil((result.decisions[0]?.retryAfterMs ?? 1000) / 1000));
}

/** For management routes: throws the standard 429. */
export async function enforceIpLimit(deps: Deps, bucket: IpBucket, ip: string): Promise<void> {
  const retryAfter = await checkIpLimit(deps, bucket, ip);
  if (retryAfter !== null) throw new ElyzorError('rate_limit_exceeded', 'Too many requests from this address', { retryAfter });
}
