import { performance } from 'node:perf_hooks';
import { ElyzorError, VERIFY_STATUS, type CredentialKind, type VerifyOutcome } from '@elyzor/core';
import { isUnavailable } from '../http/errors.js';

/** The endpoint label of each kind: the verify endpoints, as written. */
export const VERIFY_ENDPOINTS: Readonly<Record<CredentialKind, string>> = { key: '/v1/verify', service: '/v1/verify/service' };

/** What a verification came to: its answer, or a backend out of reach (503), or a bug (500). */
export type VerificationMetricOutcome = VerifyOutcome | 'service_unavailable' | 'internal_error';

export const VERIFICATION_OUTCOMES: readonly VerificationMetricOutcome[] = [...(Object.keys(VERIFY_STATUS) as VerifyOutcome[]), 'service_unavailable', 'internal_error'];
const KINDS: readonly CredentialKind[] = ['key', 'service'];

/** Upper bounds (seconds) of the latency histogram: a cache hit is answered in well under a millisecond. */
export const VERIFICATION_BUCKETS: readonly number[] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const KIND_INDEX: Readonly<Record<CredentialKind, number>> = { key: 0, service: 1 };
const OUTCOME_INDEX = Object.fromEntries(VERIFICATION_OUTCOMES.map((outcome, i) => [outcome, i])) as Readonly<Record<VerificationMetricOutcome, number>>;
const SLOTS = VERIFICATION_BUCKETS.length + 1;

/**
 * Verifications by endpoint and outcome, and their latency, counted in preallocated arrays.
 * Recording one is a few array writes: no label set is hashed and nothing is allocated per
 * request (a prom-client counter and histogram, even with pre-bound labels, hash their labels on
 * every call: about 0.9 µs per verification, measured, against a few ns here). The registry
 * reads these on scrape (`metrics.ts`).
 */
export class VerificationStats {
  private readonly counts = new Float64Array(KINDS.length * VERIFICATION_OUTCOMES.length);
  /** Per kind, observations per bucket (not cumulative); the last slot is above every bound. */
  private readonly buckets = new Float64Array(KINDS.length * SLOTS);
  private readonly sums = new Float64Array(KINDS.length);

  /** One answered verification; `startedMs` is `performance.now()` when it began. */
  record(kind: CredentialKind, outcome: VerificationMetricOutcome, startedMs: number): void {
    const k = KIND_INDEX[kind];
    add(this.counts, k * VERIFICATION_OUTCOMES.length + OUTCOME_INDEX[outcome], 1);
    const seconds = (performance.now() - startedMs) / 1000;
    let slot = 0;
    while (slot < VERIFICATION_BUCKETS.length && seconds > (VERIFICATION_BUCKETS[slot] ?? Infinity)) slot++;
    add(this.buckets, k * SLOTS + slot, 1);
    add(this.sums, k, seconds);
  }

  /** A verification that threw instead of answering: 503 when a backend was out of reach, else 500. */
  failed(kind: CredentialKind, error: unknown, startedMs: number): void {
    const unavailable = error instanceof ElyzorError ? error.code === 'service_unavailable' : isUnavailable(error);
    this.record(kind, unavailable ? 'service_unavailable' : 'internal_error', startedMs);
  }

  count(kind: CredentialKind, outcome: VerificationMetricOutcome): number {
    return this.counts[KIND_INDEX[kind] * VERIFICATION_OUTCOMES.length + OUTCOME_INDEX[outcome]] ?? 0;
  }

  /** The latency histogram in the Prometheus text format (prom-client has no way to set one). */
  renderHistogram(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const kind of KINDS) {
      const k = KIND_INDEX[kind];
      const endpoint = `endpoint="${VERIFY_ENDPOINTS[kind]}"`;
      let cumulative = 0;
      VERIFICATION_BUCKETS.forEach((bound, i) => {
        cumulative += this.buckets[k * SLOTS + i] ?? 0;
        lines.push(`${name}_bucket{le="${bound}",${endpoint}} ${cumulative}`);
      });
      cumulative += this.buckets[k * SLOTS + VERIFICATION_BUCKETS.length] ?? 0;
      lines.push(`${name}_bucket{le="+Inf",${endpoint}} ${cumulative}`);
      lines.push(`${name}_sum{${endpoint}} ${this.sums[k] ?? 0}`);
      lines.push(`${name}_count{${endpoint}} ${cumulative}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** `array[index] += by`, for arrays whose index the type system cannot prove in range. */
function add(array: Float64Array, index: number, by: number): void {
  array[index] = (array[index] ?? 0) + by;
}
