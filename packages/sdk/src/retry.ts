/**
 * Pure retry decisions, apart from the I/O that applies them (transport.ts).
 *
 * Retried: connection errors, timeouts and 502/503/504, for idempotent calls only (GET, PUT,
 * DELETE). A POST that creates something, and PATCH, are never retried: the first attempt may
 * have reached the server. Verification is a POST that creates nothing but spends limits, so it
 * is retried only when the connection was never made (the request cannot have arrived).
 */
export interface RetryOptions {
  /** Attempts after the first (default 2). */
  max: number;
  /** First backoff, doubled each attempt, with full jitter (default 200 ms). */
  baseDelayMs: number;
  /** No single wait is longer; a `Retry-After` beyond it is not waited for (default 10 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { max: 2, baseDelayMs: 200, maxDelayMs: 10_000 };

/** What an attempt ended with, as far as retrying cares. */
export type AttemptOutcome =
  | { kind: 'answer'; status: number; retryAfter: string | null }
  /** `connected: false` when the connection was refused or the host unknown: nothing was sent. */
  | { kind: 'network'; connected: boolean }
  | { kind: 'timeout' };

/** How a call may be retried: by its HTTP method, or verification's own rule. */
export type RetryPolicy = 'idempotent' | 'never' | 'before_connection';

export const policyOf = (method: string): RetryPolicy => (method === 'GET' || method === 'PUT' || method === 'DELETE' || method === 'HEAD' ? 'idempotent' : 'never');

const RETRIED_STATUSES = new Set([502, 503, 504]);

/** `Retry-After` in seconds or as an HTTP date → milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 0), or null for no retry.
 * `random` is in [0, 1): the jitter, injected so the decision is testable.
 */
export function retryDelay(policy: RetryPolicy, outcome: AttemptOutcome, attempt: number, options: RetryOptions, now: number, random: number): number | null {
  if (attempt >= options.max || policy === 'never') return null;
  if (policy === 'before_connection' && !(outcome.kind === 'network' && !outcome.connected)) return null;
  if (outcome.kind === 'answer' && !RETRIED_STATUSES.has(outcome.status)) return null;
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt) * random;
  if (outcome.kind !== 'answer') return backoff;
  const asked = parseRetryAfter(outcome.retryAfter, now);
  if (asked === null) return backoff;
  // The server said when: wait that long, or give up if it is longer than a caller should hang.
  return asked > options.maxDelayMs ? null : asked;
}
