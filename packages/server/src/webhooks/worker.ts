import type { Clock } from '@elyzor/core';
import type { DB } from '../db/database.js';
import { PeriodicTask } from '../infra/periodic-task.js';
import type { WebhookDeliveryResult } from '../infra/metrics.js';
import { claimDueDeliveries, recordAttempt, type AttemptRecord, type ClaimedDelivery } from '../store/webhook-queue.js';
import { retryDelay } from './backoff.js';
import type { SecretBox } from './secret-box.js';
import { sendWebhook, type SendResult } from './send.js';
import { signWebhook } from './signature.js';

export interface WebhookWorkerOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  pollIntervalMs: number;
  /** Deliveries claimed per round. */
  batchSize: number;
}

/** What an attempt came to, as the metrics count it (`elyzor_webhook_deliveries_total{result}`). */
export function attemptResult(sent: SendResult): WebhookDeliveryResult {
  if (sent.statusCode !== null) return sent.statusCode >= 200 && sent.statusCode < 300 ? 'success' : 'http_error';
  if (sent.error === 'timeout') return 'timeout';
  if (sent.error?.startsWith('refused:') === true) return 'refused';
  return 'network_error';
}

export interface WorkerLogger {
  error(obj: object, msg: string): void;
}

/** The body of a delivery, per the Standard Webhooks specification: `{type, timestamp, data}`. */
export function deliveryBody(delivery: Pick<ClaimedDelivery, 'type' | 'occurredAt' | 'data'>): string {
  return JSON.stringify({ type: delivery.type, timestamp: delivery.occurredAt.toISOString(), data: delivery.data });
}

/**
 * Delivers the outbox, at least once: claims due deliveries (one instance each, see
 * `claimDueDeliveries`), signs and sends them, records every attempt, and schedules a retry with
 * backoff and jitter until the schedule runs out (then the delivery has failed). Runs on a timer
 * inside the service; tests call `runOnce` with an injected clock. `stop` waits for the round in
 * flight; what it has not recorded is retried by the next instance.
 */
export class WebhookWorker extends PeriodicTask {
  constructor(
    private readonly db: DB,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    private readonly options: WebhookWorkerOptions,
    private readonly log: WorkerLogger,
    private readonly random: () => number = Math.random,
    /** Told the result of every attempt (the metrics count them). */
    private readonly onAttempt?: (result: WebhookDeliveryResult) => void,
  ) {
    super(options.pollIntervalMs, (error: unknown) => log.error({ err: error }, 'webhook delivery round failed'));
  }

  /** One round: every due delivery claimed now is attempted once. Answers how many were attempted. Rounds never overlap. */
  protected async pass(): Promise<number> {
    // The lease outlives the timeout: a delivery is not claimed again while it is being sent.
    const leaseMs = this.options.timeoutMs * 3 + 30_000;
    const claimed = await claimDueDeliveries(this.db, new Date(this.clock.now()), leaseMs, this.options.batchSize);
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  /** Signs and sends; a secret that cannot be opened is an attempt that failed (and is retried). */
  private async send(delivery: ClaimedDelivery, body: string, at: number): Promise<SendResult> {
    let secret: string;
    try {
      secret = this.secrets.open(delivery.secretSealed);
    } catch {
      return { statusCode: null, error: 'the signing secret cannot be read (was WEBHOOK_SECRET_KEY changed?)', snippet: null };
    }
    const timestamp = Math.floor(at / 1000);
    return sendWebhook({
      url: delivery.url,
      body,
      headers: { 'webhook-id': delivery.eventId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, delivery.eventId, timestamp, body) },
      timeoutMs: this.options.timeoutMs,
      allowPrivate: this.options.allowPrivate,
    });
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = this.clock.now();
    const started = performance.now();
    const body = deliveryBody(delivery);
    const sent = await this.send(delivery, body, startedAt);
    const result = attemptResult(sent);
    this.onAttempt?.(result);
    const ok = result === 'success';
    const delay = ok ? null : retryDelay(delivery.attempts + 1, this.random());
    const outcome: AttemptRecord['outcome'] = ok ? { status: 'delivered' } : delay === null ? { status: 'failed' } : { status: 'pending', nextAttemptAt: new Date(this.clock.now() + delay) };
    await recordAttempt(this.db, {
      deliveryId: delivery.id,
      at: new Date(startedAt),
      statusCode: sent.statusCode,
      error: sent.error,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      snippet: sent.snippet,
      outcome,
    });
  }
}
