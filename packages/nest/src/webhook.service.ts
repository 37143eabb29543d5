import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { invalidInput } from './exceptions.js';
import type { KeyEventData, KeyEvents, WebhookEvent } from './key-events.js';
import type { ResolvedOptions } from './options.js';
import { checkWebhooks, type WebhookConfig } from './service-options.js';
import { API_KEY_EVENTS, API_KEY_MODULE_OPTIONS } from './tokens.js';
import { signWebhook } from './webhook-signature.js';

/** What a receiver gets: nest-api-key-auth's payload. */
export interface WebhookPayload {
  event: WebhookEvent;
  /** ISO time of the event. */
  timestamp: string;
  data: KeyEventData;
}

/** How one delivery ended, per receiver. */
export interface WebhookDelivery {
  url: string;
  delivered: boolean;
  attempts: number;
  /** The last answer's status, when there was one. */
  status?: number;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * nest-api-key-auth's webhooks (`enableWebhooks`, `webhooks`): each key event (created, revoked,
 * rotated, restored, expiring, expired) is POSTed as JSON to every receiver that lists it,
 * signed with the receiver's `secret` (`webhook-id`, `webhook-timestamp` and `webhook-signature`
 * headers, Standard Webhooks), retried `retryAttempts` times on a network error or a non-2xx
 * answer, each attempt cut off after `timeout` ms. Deliveries run after the change, off the
 * caller's path; the app's shutdown waits for those under way. In both modes.
 */
@Injectable()
export class WebhookService implements OnModuleDestroy {
  private readonly logger = new Logger('ApiKeyWebhooks');
  private readonly webhooks: WebhookConfig[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(API_KEY_MODULE_OPTIONS) options: ResolvedOptions,
    @Inject(API_KEY_EVENTS) events: KeyEvents,
  ) {
    for (const hook of options.webhooks ?? []) this.webhooks.push({ ...hook });
    if (options.enableWebhooks) {
      events.on((event, data) => {
        const delivery = this.sendWebhook(event, data).catch(() => undefined);
        this.inFlight.add(delivery);
        void delivery.finally(() => this.inFlight.delete(delivery));
      });
    }
  }

  /** Adds a receiver (checked as the `webhooks` option is). */
  registerWebhook(config: WebhookConfig): void {
    checkWebhooks([config], (ok, option, message) => {
      if (!ok) throw invalidInput(`${option.replace('webhooks[0]', 'webhook')} ${message}`);
    });
    this.webhooks.push({ ...config });
  }

  unregisterWebhook(url: string): void {
    const index = this.webhooks.findIndex((hook) => hook.url === url);
    if (index !== -1) this.webhooks.splice(index, 1);
  }

  /** The receivers, without their secrets. */
  getWebhooks(): Array<Omit<WebhookConfig, 'secret'>> {
    return this.webhooks.map(({ secret: _secret, ...hook }) => ({ ...hook }));
  }

  /** Delivers `event` to every receiver that lists it; resolves when each has answered or run out of attempts. */
  async sendWebhook(event: WebhookEvent, data: KeyEventData): Promise<WebhookDelivery[]> {
    const payload: WebhookPayload = { event, timestamp: new Date().toISOString(), data };
    const body = JSON.stringify(payload);
    const id = `msg_${randomUUID()}`;
    return Promise.all(this.webhooks.filter((hook) => hook.events.includes(event)).map((hook) => this.deliver(hook, id, body)));
  }

  private async deliver(hook: WebhookConfig, id: string, body: string): Promise<WebhookDelivery> {
    const attempts = hook.retryAttempts ?? 3;
    let status: number | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // Signed per attempt: the timestamp says when this request was sent, as receivers check it.
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'elyzor-nest-webhooks', 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
      if (hook.secret !== undefined) headers['webhook-signature'] = signWebhook(hook.secret, id, timestamp, body);
      try {
        const response = await fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(hook.timeout ?? 5000) });
        status = response.status;
        await response.body?.cancel();
        if (response.ok) return { url: hook.url, delivered: true, attempts: attempt, status };
      } catch {
        status = undefined;
      }
      if (attempt < attempts) await wait(250 * attempt);
    }
    // The receiver's URL may carry a token in its query: log its origin only.
    this.logger.warn(`webhook to ${new URL(hook.url).origin} not delivered after ${attempts} attempts`);
    return status === undefined ? { url: hook.url, delivered: false, attempts } : { url: hook.url, delivered: false, attempts, status };
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }
}
