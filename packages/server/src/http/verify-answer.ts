import { performance } from 'node:perf_hooks';
import { VERIFY_STATUS, type CredentialKind, type LimitDecision, type VerifyResult } from '@elyzor/core';
import type { Static } from 'typebox';
import type { Deps } from '../deps.js';
import { bearerToken } from './authenticate.js';
import type { VerifyBody } from '@elyzor/contract';

/** A verification's answer, ready for either lane to write: status, extra headers, JSON text. */
export interface VerifyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface VerifyInput {
  kind: CredentialKind;
  authorization: string | undefined;
  body: Static<typeof VerifyBody>;
  /** The caller's address (the protected API), for the per-address gates. */
  ip: string;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
const MAX_RETRY_AFTER_MS = 400 * 86_400_000;

/** Rate-limit headers in the form of the IETF draft (RateLimit-Policy / RateLimit). */
function limitHeaders(headers: Record<string, string>, decision: LimitDecision | null, windowSeconds: number | null, now: number): void {
  if (decision === null) return;
  // Seconds until units come back, never more than the window the policy names.
  const untilReset = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  const reset = windowSeconds === null ? untilReset : Math.min(untilReset, windowSeconds);
  if (windowSeconds !== null) headers['ratelimit-policy'] = `"default";q=${decision.limit};w=${windowSeconds}`;
  headers.ratelimit = `"default";r=${decision.remaining};t=${reset}`;
}

function windowOf(result: VerifyResult, defaultWindow: number): number | null {
  const policy = result.record?.rateLimit ?? null;
  if (policy === null) return defaultWindow;
  return policy.algorithm === 'none' ? null : policy.windowSeconds;
}

/** The per-address gate's refusal, in the shape of a verification's own 429. */
function throttled(retryAfter: number): VerifyAnswer {
  return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: JSON.stringify({ valid: false, error: 'rate_limit_exceeded', retryAfter }) };
}

/**
 * POST /v1/verify and /v1/verify/service, after transport: the per-address gate, the core
 * `Verifier`, and the answer in the README's exact shapes. Both lanes (the Fastify routes and
 * the raw verify lane) call this and only this, so they cannot answer differently. Throws only
 * what the verifier throws (a backend out of reach); callers map it with `errorAnswer`.
 */
export async function answerVerification(deps: Deps, input: VerifyInput): Promise<VerifyAnswer> {
  const started = performance.now();
  const pass = deps.verifyGate.enter(input.ip);
  if (pass.kind === 'refused') {
    deps.metrics.verifications.record(input.kind, 'rate_limit_exceeded', started);
    return throttled(pass.retryAfter);
  }
  const { scopes, resource, ip, cost } = input.body;
  const admitLookup = pass.kind === 'over_budget' ? pass.admitLookup : undefined;
  let result: VerifyResult;
  try {
    result = await deps.verifier.verify({ token: bearerToken(input.authorization), kind: input.kind, scopes, resource, ip, cost, admitLookup });
  } catch (error) {
    // Not answered (a backend out of reach): not the caller's failure.
    deps.verifyGate.settle(input.ip, pass, false);
    deps.metrics.verifications.failed(input.kind, error, started);
    throw error;
  }
  deps.verifyGate.settle(input.ip, pass, result.outcome === 'invalid_key');
  // Past its failure budget an address learns nothing about what it presents unless it is real.
  const throttle = pass.kind === 'over_budget' && result.outcome === 'invalid_key';
  deps.metrics.verifications.record(input.kind, throttle ? 'rate_limit_exceeded' : result.outcome, started);
  if (throttle) return throttled(pass.retryAfter);
  const headers: Record<string, string> = {};
  limitHeaders(headers, result.rateLimit, windowOf(result, deps.config.rateLimit.windowSeconds), deps.clock.now());
  const record = result.record;
  if (result.outcome !== 'valid' || record === null) {
    const failure: Record<string, unknown> = { valid: false, error: result.outcome };
    // A spent balance with no refill never comes back: no retryAfter then.
    if (result.retryAfterMs > 0 && result.retryAfterMs < MAX_RETRY_AFTER_MS) {
      failure.retryAfter = seconds(result.retryAfterMs);
      headers['retry-after'] = String(failure.retryAfter);
    }
    if (result.missingScopes !== undefined) failure.missingScopes = result.missingScopes;
    return { status: VERIFY_STATUS[result.outcome], headers, body: JSON.stringify(failure) };
  }
  const success: Record<string, unknown> = {
    valid: true,
    projectId: record.projectId,
    rateLimitRemaining: result.rateLimit?.remaining ?? null,
    keyId: record.id,
    environment: record.environment,
    scopes: record.scopes.global,
    metadata: record.metadata,
    ownerId: record.ownerId,
    expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
  };
  if (result.quota !== null) success.quotaRemaining = result.quota.remaining;
  if (result.credits !== null) success.creditsRemaining = result.credits.remaining;
  if (input.kind === 'service') success.service = { id: record.id, name: record.name ?? '' };
  return { status: 200, headers, body: JSON.stringify(success) };
}
