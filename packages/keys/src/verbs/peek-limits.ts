import { storageCall } from '../errors.js';
import { limitChecks, limitOutcome } from '../limits.js';
import type { VerifyLimits } from '../types.js';
import { mustFind, type Ctx } from './context.js';

/**
 * Elyzor: where a key's rate limit, quota and credits stand, without spending any (the limiter
 * is asked at cost 0). A limit the key does not have is absent from the answer.
 */
export async function peekLimits(ctx: Ctx, id: string): Promise<VerifyLimits> {
  const record = await storageCall(() => mustFind(ctx, id));
  const checks = limitChecks(record, ctx.clock.now());
  if (checks.length === 0) return {};
  return limitOutcome(checks, await storageCall(() => ctx.limiter.consume(checks, 0))).limits;
}
