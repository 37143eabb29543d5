import { itemsOf, type Page } from '../pagination.js';
import { segment } from '../path.js';
import type { Transport } from '../transport.js';
import type { CreateWebhookBody, IssuedWebhook, PageQuery, UpdateWebhookBody, Webhook, WebhookDelivery, WebhookTestQueued } from '../types.js';

type PageFilters = Omit<PageQuery, 'cursor'>;

/** `/v1/projects/:projectId/webhooks`: subscriptions of a project, their deliveries and attempts. */
export class WebhooksApi {
  constructor(private readonly transport: Transport) {}

  /** POST /v1/projects/:projectId/webhooks — the `whsec_…` secret is in this answer only. */
  create(projectId: string, body: CreateWebhookBody): Promise<IssuedWebhook> {
    return this.transport.request({ method: 'POST', path: `/v1/projects/${segment(projectId)}/webhooks`, body, auth: 'session' });
  }

  /** GET /v1/projects/:projectId/webhooks — newest first, never their secrets. */
  list(projectId: string, query: PageQuery = {}): Promise<Page<Webhook>> {
    return this.transport.page({ method: 'GET', path: `/v1/projects/${segment(projectId)}/webhooks`, query, auth: 'session' });
  }

  iterate(projectId: string, filters: PageFilters = {}): AsyncGenerator<Webhook, void, undefined> {
    return itemsOf((cursor) => this.list(projectId, { ...filters, cursor }));
  }

  /** GET /v1/projects/:projectId/webhooks/:webhookId */
  get(projectId: string, webhookId: string): Promise<Webhook> {
    return this.transport.request({ method: 'GET', path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}`, auth: 'session' });
  }

  /** PATCH /v1/projects/:projectId/webhooks/:webhookId — only the fields given: url, events, description, enabled. */
  update(projectId: string, webhookId: string, changes: UpdateWebhookBody): Promise<Webhook> {
    return this.transport.request({ method: 'PATCH', path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}`, body: changes, auth: 'session' });
  }

  /** DELETE /v1/projects/:projectId/webhooks/:webhookId — with its pending deliveries and their history. */
  async delete(projectId: string, webhookId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}`, auth: 'session' });
  }

  /** POST /v1/projects/:projectId/webhooks/:webhookId/rotate-secret — a new signing secret, shown once. */
  rotateSecret(projectId: string, webhookId: string): Promise<IssuedWebhook> {
    return this.transport.request({ method: 'POST', path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/rotate-secret`, auth: 'session' });
  }

  /** POST /v1/projects/:projectId/webhooks/:webhookId/test — queues a `webhook.test` event; its delivery shows in `deliveries`. */
  test(projectId: string, webhookId: string): Promise<WebhookTestQueued> {
    return this.transport.request({ method: 'POST', path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/test`, auth: 'session' });
  }

  /** GET /v1/projects/:projectId/webhooks/:webhookId/deliveries — newest first, each with every attempt. */
  deliveries(projectId: string, webhookId: string, query: PageQuery = {}): Promise<Page<WebhookDelivery>> {
    return this.transport.page({ method: 'GET', path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/deliveries`, query, auth: 'session' });
  }

  iterateDeliveries(projectId: string, webhookId: string, filters: PageFilters = {}): AsyncGenerator<WebhookDelivery, void, undefined> {
    return itemsOf((cursor) => this.deliveries(projectId, webhookId, { ...filters, cursor }));
  }

  /** POST /v1/projects/:projectId/webhooks/:webhookId/deliveries/:deliveryId/redeliver — sent again now, with a fresh retry schedule. */
  async redeliver(projectId: string, webhookId: string, deliveryId: string): Promise<void> {
    await this.transport.request<void>({
      method: 'POST',
      path: `/v1/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/deliveries/${segment(deliveryId)}/redeliver`,
      auth: 'session',
    });
  }
}
