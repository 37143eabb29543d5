import { segment } from '../path.js';
import type { Transport } from '../transport.js';
import type { CreateWebhookBody, IssuedWebhook, UpdateWebhookBody, Webhook, WebhookDelivery } from '../types.js';

/**
 * `/v1/projects/:projectId/webhooks`. Create, list, the test event and the deliveries are at the
 * paths of the endpoint list; update, delete, rotate-secret and redeliver follow its pattern.
 */
export class WebhooksApi {
  constructor(private readonly transport: Transport) {}

  private path(projectId: string, webhookId?: string, tail = ''): string {
    return `/v1/projects/${segment(projectId)}/webhooks${webhookId === undefined ? '' : `/${segment(webhookId)}`}${tail}`;
  }

  /** POST …/webhooks — the `whsec_…` secret is in this answer only. */
  create(projectId: string, body: CreateWebhookBody): Promise<IssuedWebhook> {
    return this.transport.request({ method: 'POST', path: this.path(projectId), body, auth: 'session' });
  }

  list(projectId: string): Promise<Webhook[]> {
    return this.transport.request({ method: 'GET', path: this.path(projectId), auth: 'session' });
  }

  update(projectId: string, webhookId: string, changes: UpdateWebhookBody): Promise<Webhook> {
    return this.transport.request({ method: 'PATCH', path: this.path(projectId, webhookId), body: changes, auth: 'session' });
  }

  async delete(projectId: string, webhookId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: this.path(projectId, webhookId), auth: 'session' });
  }

  /** A new signing secret, shown once. */
  rotateSecret(projectId: string, webhookId: string): Promise<IssuedWebhook> {
    return this.transport.request({ method: 'POST', path: this.path(projectId, webhookId, '/rotate-secret'), auth: 'session' });
  }

  /** POST …/webhooks/:id/test — sends a test event. */
  test(projectId: string, webhookId: string): Promise<WebhookDelivery> {
    return this.transport.request({ method: 'POST', path: this.path(projectId, webhookId, '/test'), auth: 'session' });
  }

  /** GET …/webhooks/:id/deliveries — every attempt, with its status and latency. */
  deliveries(projectId: string, webhookId: string): Promise<WebhookDelivery[]> {
    return this.transport.request({ method: 'GET', path: this.path(projectId, webhookId, '/deliveries'), auth: 'session' });
  }

  redeliver(projectId: string, webhookId: string, deliveryId: string): Promise<WebhookDelivery> {
    return this.transport.request({ method: 'POST', path: this.path(projectId, webhookId, `/deliveries/${segment(deliveryId)}/redeliver`), auth: 'session' });
  }
}
