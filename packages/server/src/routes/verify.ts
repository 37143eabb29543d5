import { VERIFY_STATUS, type CredentialKind, type LimitDecision, type VerifyResult } from '@elyzor/core';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { bearerToken } from '../http/authenticate.js';
import { settleVerification, verifyGate } from '../http/ip-limit.js';
import { VerifyBody, VerifyFailure } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
const MAX_RETRY_AFTER_MS = 400 * 86_400_000;

/** Rate-limit headers in the form of the IETF draft (RateLimit-Policy / RateLimit). */
function setLimitHeaders(reply: FastifyReply, decision: LimitDecision | null, windowSeconds: number | null, now: number): void {
  if (decision === null) return;
  // Seconds until units come back, never more than the window the policy names.
  const untilReset = Math.max(0, Math.ceil((decision.resetAt - now) / 1000));
  const reset = windowSeconds === null ? untilReset : Math.min(untilReset, windowSeconds);
  if (windowSeconds !== null) reply.header('ratelimit-policy', `"default";q=${decision.limit};w=${windowSeconds}`);
  reply.header('ratelimit', `"default";r=${decision.remaining};t=${reset}`);
}

function windowOf(result: VerifyResult, defaultWindow: number): number | null {
  const policy = result.record?.rateLimit ?? null;
  if (policy === null) return defaultWindow;
  return policy.algorithm === 'none' ? null : policy.windowSeconds;
}

const SuccessKey = Type.Object({
  valid: Type.Literal(true),
  projectId: Type.String(),
  rateLimitRemaining: Type.Union([Type.Integer(), Type.Null()]),
  keyId: Type.String(),
  environment: Type.String(),
  scopes: Type.Array(Type.String()),
  metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  quotaRemaining: Type.Optional(Type.Integer()),
  creditsRemaining: Type.Optional(Type.Integer()),
});

const SuccessService = Type.Object({
  ...SuccessKey.properties,
  service: Type.Object({ id: Type.String(), name: Type.String() }),
});

/**
 * POST /v1/verify (sk_ keys) and POST /v1/verify/service (svc_ identities): the hot path.
 * Everything is decided by the core `Verifier`; this file only reads the request and writes
 * the answer in the README's exact shapes.
 */
export function registerVerify(app: App, { deps }: RouteContext): void {
  const routes: Array<[string, CredentialKind]> = [
    ['/v1/verify', 'key'],
    ['/v1/verify/service', 'service'],
  ];
  for (const [url, kind] of routes) {
    app.post(
      url,
      {
        config: { verifyShape: true },
        schema: {
          tags: ['verification'],
          summary: kind === 'key' ? 'Verify an API key (Authorization: Bearer sk_live_…)' : 'Verify a service identity (Authorization: Bearer svc_live_…)',
          security: [{ credential: [] }],
          body: VerifyBody,
          response: {
            200: kind === 'key' ? SuccessKey : SuccessService,
            401: VerifyFailure,
            403: VerifyFailure,
            429: VerifyFailure,
          },
        },
      },
      async (request, reply) => {
        const wait = verifyGate(deps, request.ip);
        if (wait !== null) {
          reply.header('retry-after', String(wait));
          return (reply as FastifyReply).code(429).send({ valid: false, error: 'rate_limit_exceeded', retryAfter: wait });
        }
        const body = request.body;
        const result = await deps.verifier.verify({
          token: bearerToken(request.headers.authorization),
          kind,
          scopes: body.scopes,
          resource: body.resource,
          ip: body.ip,
          cost: body.cost,
        });
        settleVerification(deps, request.ip, result.outcome === 'invalid_key');
        const now = deps.clock.now();
        setLimitHeaders(reply, result.rateLimit, windowOf(result, deps.config.rateLimit.windowSeconds), now);
        const record = result.record;
        if (result.outcome !== 'valid' || record === null) {
          const failure: Record<string, unknown> = { valid: false, error: result.outcome };
          // A spent balance with no refill never comes back: no retryAfter then.
          if (result.retryAfterMs > 0 && result.retryAfterMs < MAX_RETRY_AFTER_MS) {
            failure.retryAfter = seconds(result.retryAfterMs);
            reply.header('retry-after', String(failure.retryAfter));
          }
          if (result.missingScopes !== undefined) failure.missingScopes = result.missingScopes;
          return (reply as FastifyReply).code(VERIFY_STATUS[result.outcome]).send(failure);
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
        if (kind === 'service') success.service = { id: record.id, name: record.name ?? '' };
        return (reply as FastifyReply).send(success);
      },
    );
  }
}
