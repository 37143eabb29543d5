import { performance } from 'node:perf_hooks';
import { VERIFY_STATUS, type CredentialKind, type CredentialRecord, type LimitDecision, type VerifyOutcome, type VerifyRequest, type VerifyResult } from '@elyzor/core';
import type { Static } from 'typebox';
import type { Deps } from '../deps.js';
import { bearerToken } from './authenticate.js';
import type { GatePass } from './verify-gate.js';
import type { VerifyBody } from '@elyzor/contract';

/**
 * A verification's answer, ready for either lane to write: status, the headers of its own (each
 * null when absent) and JSON text. One fixed shape, so the lanes that write it never meet a
 * different one.
 */
export interface VerifyAnswer {
  status: number;
  rateLimitPolicy: string | null;
  rateLimit: string | null;
  retryAfter: string | null;
  body: string;
}

export interface VerifyInput {
  kind: CredentialKind;
  authorization: string | undefined;
  body: Static<typeof VerifyBody>;
  /** The caller's address (the protected API), for the per-address gates. */
  ip: string;
  /** `performance.now()` when the transport took the request; read here when absent. */
  startedMs?: number | undefined;
}

/** The answer's own headers by name, for a transport that takes them as an object (Fastify). */
export function answerHeaders(answer: VerifyAnswer): Record<string, string> {
  const headers: Record<string, string> = {};
  if (answer.rateLimitPolicy !== null) headers['ratelimit-policy'] = answer.rateLimitPolicy;
  if (answer.rateLimit !== null) headers.ratelimit = answer.rateLimit;
  if (answer.retryAfter !== null) headers['retry-after'] = answer.retryAfter;
  return headers;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
const MAX_RETRY_AFTER_MS = 400 * 86_400_000;

/** A number as JSON writes it (JSON has no Infinity or NaN: they are null). */
const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** The per-address gate's refusal, in the shape of a verification's own 429. */
function throttled(retryAfter: number): VerifyAnswer {
  return { status: 429, rateLimitPolicy: null, rateLimit: null, retryAfter: String(retryAfter), body: JSON.stringify({ valid: false, error: 'rate_limit_exceeded', retryAfter }) };
}

/**
 * The parts of a success body that only the record decides, written once per record as JSON
 * text: the body is then these parts with the remaining counts between them. The key order is
 * the documented one: valid, projectId, rateLimitRemaining, keyId, environment, scopes,
 * metadata, ownerId, expiresAt, quotaRemaining?, creditsRemaining?, service?.
 */
interface SuccessText {
  /** `{"valid":true,"projectId":…,"rateLimitRemaining":` */
  head: string;
  /** `,"keyId":…,"expiresAt":…` */
  middle: string;
  /** `,"service":{…}}` for a service identity, `}` for a key. */
  tail: string;
}

/**
 * Records are replaced, never changed, when a credential is: text made for one stays true. It is
 * kept from a record's second valid verification on (null marks a record answered once), so
 * records verified once (a flood of distinct keys) cost no text in memory.
 */
const successTexts = new WeakMap<CredentialRecord, SuccessText | null>();

/** The tail of every API key's success body. */
const KEY_TAIL = '}';

function successText(record: CredentialRecord): SuccessText {
  const kept = successTexts.get(record);
  if (kept !== undefined && kept !== null) return kept;
  const middle = JSON.stringify({
    keyId: record.id,
    environment: record.environment,
    scopes: record.scopes.global,
    metadata: record.metadata,
    ownerId: record.ownerId,
    expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
  });
  // A verification is valid only at the endpoint of the record's own kind (`decide`).
  const service = record.kind === 'service' ? `,"service":${JSON.stringify({ id: record.id, name: record.name ?? '' })}` : '';
  const text: SuccessText = {
    head: `{"valid":true,"projectId":${JSON.stringify(record.projectId)},"rateLimitRemaining":`,
    middle: `,${middle.slice(1, -1)}`,
    tail: service === '' ? KEY_TAIL : `${service}}`,
  };
  successTexts.set(record, kept === undefined ? null : text);
  return text;
}

/** The body of a refusal that carries nothing but its outcome, one per outcome. */
const plainFailures = new Map<VerifyOutcome, string>();

function failureBody(outcome: VerifyOutcome, retryAfter: number | null, missingScopes: string[] | undefined): string {
  if (retryAfter === null && missingScopes === undefined) {
    let body = plainFailures.get(outcome);
    if (body === undefined) {
      body = JSON.stringify({ valid: false, error: outcome });
      plainFailures.set(outcome, body);
    }
    return body;
  }
  const failure: { valid: false; error: VerifyOutcome; retryAfter?: number; missingScopes?: string[] } = { valid: false, error: outcome };
  if (retryAfter !== null) failure.retryAfter = retryAfter;
  if (missingScopes !== undefined) failure.missingScopes = missingScopes;
  return JSON.stringify(failure);
}

function windowOf(result: VerifyResult, defaultWindow: number): number | null {
  const policy = result.record?.rateLimit ?? null;
  if (policy === null) return defaultWindow;
  return policy.algorithm === 'none' ? null : policy.windowSeconds;
}

/** What a verification's result becomes on the wire, in the exact shapes of docs/api.md. */
function answerOf(deps: Deps, result: VerifyResult): VerifyAnswer {
  // Rate-limit headers in the form of the IETF draft (RateLimit-Policy / RateLimit).
  const decision: LimitDecision | null = result.rateLimit;
  let rateLimitPolicy: string | null = null;
  let rateLimit: string | null = null;
  if (decision !== null) {
    const windowSeconds = windowOf(result, deps.config.rateLimit.windowSeconds);
    // Seconds until units come back, never more than the window the policy names.
    const untilReset = Math.max(0, Math.ceil((decision.resetAt - deps.clock.now()) / 1000));
    const reset = windowSeconds === null ? untilReset : Math.min(untilReset, windowSeconds);
    if (windowSeconds !== null) rateLimitPolicy = `"default";q=${decision.limit};w=${windowSeconds}`;
    rateLimit = `"default";r=${decision.remaining};t=${reset}`;
  }
  const record = result.record;
  if (result.outcome !== 'valid' || record === null) {
    // A spent balance with no refill never comes back: no retryAfter then.
    const retryAfter = result.retryAfterMs > 0 && result.retryAfterMs < MAX_RETRY_AFTER_MS ? seconds(result.retryAfterMs) : null;
    return {
      status: VERIFY_STATUS[result.outcome],
      rateLimitPolicy,
      rateLimit,
      retryAfter: retryAfter === null ? null : String(retryAfter),
      body: failureBody(result.outcome, retryAfter, result.missingScopes),
    };
  }
  const text = successText(record);
  const quota = result.quota === null ? '' : `,"quotaRemaining":${jsonNumber(result.quota.remaining)}`;
  const credits = result.credits === null ? '' : `,"creditsRemaining":${jsonNumber(result.credits.remaining)}`;
  const remaining = decision === null ? 'null' : jsonNumber(decision.remaining);
  return { status: 200, rateLimitPolicy, rateLimit, retryAfter: null, body: `${text.head}${remaining}${text.middle}${quota}${credits}${text.tail}` };
}

/** After the verifier: the gate learns whether the address failed, then the answer is made. */
function settled(deps: Deps, input: VerifyInput, pass: GatePass, result: VerifyResult, started: number): VerifyAnswer {
  deps.verifyGate.settle(input.ip, pass, result.outcome === 'invalid_key');
  // Past its failure budget an address learns nothing about what it presents unless it is real.
  const throttle = pass.kind === 'over_budget' && result.outcome === 'invalid_key';
  deps.metrics.verifications.record(input.kind, throttle ? 'rate_limit_exceeded' : result.outcome, started);
  if (throttle) return throttled(pass.retryAfter);
  return answerOf(deps, result);
}

/**
 * POST /v1/verify and /v1/verify/service, after transport: the per-address gate, the core
 * `Verifier`, and the answer in the exact shapes of docs/api.md. Both lanes (the Fastify routes and
 * the raw verify lane) call this and only this, so they cannot answer differently.
 *
 * The answer comes back as is when the verifier did not have to wait (a cached credential and an
 * in-process limiter, or a malformed or cached unknown one), else as a promise: `await` takes
 * either. Throws (or rejects with) only what the verifier throws (a backend out of reach);
 * callers map it with `errorAnswer`.
 */
export function answerVerification(deps: Deps, input: VerifyInput): VerifyAnswer | Promise<VerifyAnswer> {
  // One reading of the clock for the metrics, the usage latency and the lane's log line.
  const started = input.startedMs ?? performance.now();
  const pass = deps.verifyGate.enter(input.ip);
  if (pass.kind === 'refused') {
    deps.metrics.verifications.record(input.kind, 'rate_limit_exceeded', started);
    return throttled(pass.retryAfter);
  }
  const { scopes, resource, ip, cost } = input.body;
  const request: VerifyRequest = {
    token: bearerToken(input.authorization),
    kind: input.kind,
    scopes,
    resource,
    ip,
    cost,
    admitLookup: pass.kind === 'over_budget' ? pass.admitLookup : undefined,
    startedMs: started,
  };
  // Not answered (a backend out of reach): not the caller's failure.
  const unanswered = (error: unknown): never => {
    deps.verifyGate.settle(input.ip, pass, false);
    deps.metrics.verifications.failed(input.kind, error, started);
    throw error;
  };
  let result: VerifyResult | Promise<VerifyResult>;
  try {
    result = deps.verifier.verify(request);
  } catch (error) {
    return unanswered(error);
  }
  if (result instanceof Promise) return result.then((done) => settled(deps, input, pass, done, started), unanswered);
  return settled(deps, input, pass, result, started);
}
