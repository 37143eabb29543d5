import { ElyzorError, type Clock, type LimitCheck, type Limiter, type LimitResult } from '@elyzor/core';

export type RedisFailureMode = 'fallback' | 'refuse';

export interface FallbackLimiterOptions {
  /** `fallback`: limits become per instance while Redis is away; `refuse`: answer 503. */
  mode: RedisFailureMode;
  /** A Redis call slower than this counts as a failure. */
  timeoutMs: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one call tries Redis again. */
  openMs: number;
}

export interface BreakerLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * A circuit breaker in front of the Redis limiter. While Redis answers, every call goes there.
 * After `failureThreshold` failures in a row the circuit opens: for `openMs` no call waits on
 * Redis, and limits are enforced by the in-process limiter instead (or refused, by setting).
 * Then one call tries Redis again; success closes the circuit, failure keeps it open. So a Redis
 * outage costs a few timeouts, not one per request, and recovery needs no restart.
 */
export class FallbackLimiter implements Limiter {
  private failures = 0;
  private openUntil = 0;
  private probing = false;
  /** Calls answered without Redis (per instance, or refused), since start; for metrics. */
  fallbacks = 0;

  constructor(
    private readonly primary: Limiter,
    private readonly local: Limiter,
    private readonly clock: Clock,
    private readonly options: FallbackLimiterOptions,
    private readonly log: BreakerLogger,
  ) {}

  /** True while Redis is considered down. */
  get open(): boolean {
    return this.failures >= this.options.failureThreshold;
  }

  async consume(checks: readonly LimitCheck[], cost: number): Promise<LimitResult> {
    if (this.open && (this.clock.now() < this.openUntil || this.probing)) return this.degraded(checks, cost);
    const probe = this.open;
    if (probe) this.probing = true;
    try {
      const result = await withTimeout(this.primary.consume(checks, cost), this.options.timeoutMs);
      if (this.failures > 0) {
        if (this.open) this.log.info({}, 'Redis limiter is back; limits are shared again');
        this.failures = 0;
      }
      return result;
    } catch (error) {
      this.failures++;
      if (this.open) {
        if (this.failures === this.options.failureThreshold) this.log.warn({ err: error }, `Redis limiter failing; limits are ${this.options.mode === 'fallback' ? 'per instance' : 'refused'} until it recovers`);
        this.openUntil = this.clock.now() + this.options.openMs;
      }
      return this.degraded(checks, cost);
    } finally {
      if (probe) this.probing = false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.local.close()]);
  }

  private degraded(checks: readonly LimitCheck[], cost: number): Promise<LimitResult> {
    this.fallbacks++;
    if (this.options.mode === 'refuse') {
      return Promise.reject(new ElyzorError('service_unavailable', 'Rate limiting is unavailable; try again shortly', { retryAfter: Math.ceil(this.options.openMs / 1000) }));
    }
    return this.local.consume(checks, cost);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
