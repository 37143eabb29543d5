import type { CredentialCache, Limiter } from '@elyzor/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UsageBuffer } from '../usage/usage-buffer.js';
import type { BackendHealth } from './backend-health.js';
import type { TokenDenylist } from './denylist.js';
import { FallbackLimiter } from './fallback-limiter.js';
import { LayeredDenylist } from './layered-denylist.js';
import { VERIFICATION_OUTCOMES, VERIFY_ENDPOINTS, VerificationStats } from './verification-stats.js';

/**
 * How one webhook delivery attempt ended: `success` (a 2xx answer), `http_error` (any other
 * status), `timeout`, `network_error` (no answer: refused, reset, DNS), `refused` (the egress
 * rules forbade the address). The label never holds a URL, an id or a status code.
 */
export type WebhookDeliveryResult = 'success' | 'http_error' | 'timeout' | 'network_error' | 'refused';
export const WEBHOOK_DELIVERY_RESULTS: readonly WebhookDeliveryResult[] = ['success', 'http_error', 'timeout', 'network_error', 'refused'];

/** What the metrics read on each scrape: the counters the components keep themselves. */
export interface MetricSources {
  cache: CredentialCache;
  usage: UsageBuffer;
  limiter: Limiter;
  denylist: TokenDenylist;
  /** Pings the database and Redis (bounded in time). */
  backends: () => Promise<BackendHealth>;
}

/** Latency buckets of management requests (seconds): from a cached read to a slow export. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics, one registry per process (built once in `create-deps.ts`).
 * Nothing on the verification path calls prom-client: verifications are counted in
 * `VerificationStats` and the components' own counters (cache, limiter, usage buffer) are read
 * when Prometheus scrapes. No label ever holds a credential, a token, an id or any other
 * unbounded value: labels are endpoints and route patterns as written, outcomes from a closed
 * list, methods and status classes.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly verifications = new VerificationStats();
  /** Webhook delivery attempts by result; the delivery worker counts them with `webhookDelivery`. */
  readonly webhookDeliveries: Counter<'result'>;
  private readonly deliveries: ReadonlyMap<WebhookDeliveryResult, Counter.Internal>;
  private readonly requestDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    const { verifications } = this;
    new Counter({
      name: 'elyzor_verifications_total',
      help: 'Verifications answered, by endpoint and outcome (service_unavailable: a backend was out of reach)',
      labelNames: ['endpoint', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const [kind, endpoint] of Object.entries(VERIFY_ENDPOINTS) as Array<[keyof typeof VERIFY_ENDPOINTS, string]>) {
          for (const outcome of VERIFICATION_OUTCOMES) this.inc({ endpoint, outcome }, verifications.count(kind, outcome));
        }
      },
    });
    this.requestDuration = new Histogram({
      name: 'elyzor_http_request_duration_seconds',
      help: 'Management requests (every route but the verify endpoints), by method, route pattern and status class',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    const { cache, usage, limiter, denylist } = sources;
    counterOf(registers, 'elyzor_credential_cache_hits_total', 'Credential lookups answered from the in-process cache (negative entries included)', () => cache.hits);
    counterOf(registers, 'elyzor_credential_cache_misses_total', 'Credential lookups that waited for the store', () => cache.misses);
    gaugeOf(registers, 'elyzor_credential_cache_entries', 'Credential records (and negative entries) in the cache', () => cache.size);
    if (limiter instanceof FallbackLimiter) {
      counterOf(registers, 'elyzor_limiter_fallbacks_total', 'Limiter calls answered without Redis (per instance, or refused with REDIS_FAILURE_MODE=refuse)', () => limiter.fallbacks);
      gaugeOf(registers, 'elyzor_limiter_circuit_open', '1 while the circuit breaker in front of the Redis limiter is open', () => (limiter.open ? 1 : 0));
    }
    if (denylist instanceof LayeredDenylist) {
      gaugeOf(registers, 'elyzor_denylist_redis_fast_path', '1 while token checks are answered by Redis; 0 while they are answered by the database', () => (denylist.fastPath ? 1 : 0));
    }
    gaugeOf(registers, 'elyzor_usage_buffered', 'Usage events waiting in the buffer to be written', () => usage.size);
    counterOf(registers, 'elyzor_usage_dropped_total', 'Usage events dropped because the buffer was full (database unreachable for long)', () => usage.dropped);
    counterOf(registers, 'elyzor_usage_written_total', 'Usage events written to the database', () => usage.written);
    new Gauge({
      name: 'elyzor_backend_up',
      help: 'Whether a backend answered a ping on this scrape (1) or not (0); redis only when configured',
      labelNames: ['backend'],
      registers,
      async collect() {
        const health = await sources.backends();
        this.reset();
        this.set({ backend: 'database' }, health.database === 'ok' ? 1 : 0);
        if (health.redis !== 'disabled') this.set({ backend: 'redis' }, health.redis === 'ok' ? 1 : 0);
      },
    });
    this.webhookDeliveries = new Counter({ name: 'elyzor_webhook_deliveries_total', help: 'Webhook delivery attempts, by result', labelNames: ['result'], registers });
    // Every result is present from the start (at 0), so rates can be computed at once.
    this.deliveries = new Map(WEBHOOK_DELIVERY_RESULTS.map((result) => [result, this.webhookDeliveries.labels(result)]));
    for (const child of this.deliveries.values()) child.inc(0);
  }

  /** One webhook delivery attempt ended this way. */
  webhookDelivery(result: WebhookDeliveryResult): void {
    this.deliveries.get(result)?.inc();
  }

  /** A management request was answered; `route` is its pattern (`/v1/projects/:projectId`), undefined when nothing matched. */
  observeRequest(method: string, route: string | undefined, statusCode: number, seconds: number): void {
    this.requestDuration.observe({ method, route: route ?? 'unmatched', status: `${Math.floor(statusCode / 100)}xx` }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format. */
  async text(): Promise<string> {
    const registered = await this.registry.metrics();
    const histogram = this.verifications.renderHistogram('elyzor_verification_duration_seconds', 'Time to answer a verification (after the request was read), by endpoint');
    return registered.endsWith('\n') ? registered + histogram : `${registered}\n${histogram}`;
  }
}

/** A counter whose value is read from `read` on each scrape (the component counts, not us). */
function counterOf(registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function gaugeOf(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}
