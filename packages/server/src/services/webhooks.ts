import { WEBHOOK_TEST_EVENT } from '@elyzor/contract';
import { auditEntry, isUuid, notFound, reachProject, validationError, type AuditChanges, type Ctx, type ProjectRef } from '@elyzor/core';
import type { Deps } from '../deps.js';
import type { DB } from '../db/database.js';
import { recordAudit } from '../store/audit.js';
import type { Page, PageRequest } from '../store/page.js';
import { findProjectRef } from '../store/projects.js';
import { writeOutboxEvent } from '../store/webhook-outbox.js';
import { deleteWebhook, findWebhook, insertWebhook, listDeliveries, listWebhooks, requeueDelivery, updateWebhook, type WebhookRow } from '../store/webhooks.js';
import { checkWebhookUrl, EgressRefused } from '../webhooks/egress.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import { generateWebhookSecret } from '../webhooks/signature.js';

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookWithSecretView extends WebhookView {
  /** `whsec_…`: in this answer and nowhere else. */
  secret: string;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  attemptLog: Array<{ attemptedAt: string; statusCode: number | null; error: string | null; latencyMs: number; responseSnippet: string | null }>;
}

export interface WebhookInput {
  url: string;
  events: string[];
  description?: string | undefined;
}

export interface WebhookChanges {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

const toView = (row: WebhookRow): WebhookView => ({
  id: row.id,
  url: row.url,
  events: row.events,
  description: row.description,
  enabled: row.enabled,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** What an audit entry compares: the view without its timestamps (and never the secret, which the view lacks). */
function changesOf(before: WebhookView | null, after: WebhookView | null): AuditChanges {
  const fields = ['url', 'events', 'description', 'enabled'] as const;
  const changes: AuditChanges = {};
  for (const field of fields) {
    const was = before?.[field] ?? null;
    const is = after?.[field] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(is)) changes[field] = { before: was, after: is };
  }
  return changes;
}

/**
 * Webhooks of a project: subscriptions, their signing secrets, test events and deliveries.
 * Every operation authorizes its caller with the engine's `reachProject` for `manage` (a
 * project out of reach is a 404), and every change is audited in its own transaction.
 */
export class WebhookService {
  constructor(
    private readonly deps: Deps,
    private readonly secrets: SecretBox,
  ) {}

  private get db(): DB {
    return this.deps.db;
  }

  private now(): Date {
    return new Date(this.deps.clock.now());
  }

  private reach(ctx: Ctx, db: DB, projectId: string, lock = false): Promise<ProjectRef> {
    return reachProject(ctx, projectId, (id, userId) => findProjectRef(db, id, lock ? 'key share' : undefined, userId), 'manage_webhooks');
  }

  private checkUrl(url: string): void {
    try {
      checkWebhookUrl(url, this.deps.config.webhooks.allowPrivate);
    } catch (error) {
      if (error instanceof EgressRefused) throw validationError(error.message, { field: 'url' });
      throw error;
    }
  }

  /** The webhook in `projectId` (locked inside a transaction), after authorization; 404 for a malformed, unknown or another project's id. */
  private async webhookOf(ctx: Ctx, db: DB, projectId: string, webhookId: string, lock = false): Promise<{ project: ProjectRef; webhook: WebhookRow }> {
    const project = await this.reach(ctx, db, projectId, lock);
    const webhook = isUuid(webhookId) ? await findWebhook(db, projectId, webhookId, lock) : undefined;
    if (webhook === undefined) throw notFound('Webhook');
    return { project, webhook };
  }

  async create(ctx: Ctx, projectId: string, input: WebhookInput): Promise<WebhookWithSecretView> {
    const secret = generateWebhookSecret();
    const row = await this.db.transaction().execute(async (trx) => {
      await this.reach(ctx, trx, projectId, true);
      this.checkUrl(input.url);
      const inserted = await insertWebhook(trx, { projectId, url: input.url, events: input.events, description: input.description ?? null, secretSealed: this.secrets.seal(secret), at: this.now() });
      await recordAudit(trx, auditEntry(ctx, { projectId, action: 'webhook.created', targetType: 'webhook', targetId: inserted.id, changes: changesOf(null, toView(inserted)) }), this.now());
      return inserted;
    });
    return { ...toView(row), secret };
  }

  async list(ctx: Ctx, projectId: string, page: PageRequest): Promise<Page<WebhookView>> {
    await this.reach(ctx, this.db, projectId);
    const result = await listWebhooks(this.db, projectId, page);
    return { items: result.items.map(toView), next: result.next };
  }

  async get(ctx: Ctx, projectId: string, webhookId: string): Promise<WebhookView> {
    return toView((await this.webhookOf(ctx, this.db, projectId, webhookId)).webhook);
  }

  async update(ctx: Ctx, projectId: string, webhookId: string, changes: WebhookChanges): Promise<WebhookView> {
    return this.db.transaction().execute(async (trx) => {
      const { webhook } = await this.webhookOf(ctx, trx, projectId, webhookId, true);
      if (changes.url !== undefined) this.checkUrl(changes.url);
      const updated = await updateWebhook(trx, webhook.id, changes, this.now());
      const diff = changesOf(toView(webhook), toView(updated));
      if (Object.keys(diff).length > 0) await recordAudit(trx, auditEntry(ctx, { projectId, action: 'webhook.updated', targetType: 'webhook', targetId: webhook.id, changes: diff }), this.now());
      return toView(updated);
    });
  }

  /** Deletes the webhook with its pending deliveries and their history. */
  async delete(ctx: Ctx, projectId: string, webhookId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const { webhook } = await this.webhookOf(ctx, trx, projectId, webhookId, true);
      await deleteWebhook(trx, webhook.id);
      await recordAudit(trx, auditEntry(ctx, { projectId, action: 'webhook.deleted', targetType: 'webhook', targetId: webhook.id, changes: changesOf(toView(webhook), null) }), this.now());
    });
  }

  /** A new secret at once: deliveries sent from now on (retries included) are signed with it. */
  async rotateSecret(ctx: Ctx, projectId: string, webhookId: string): Promise<WebhookWithSecretView> {
    const secret = generateWebhookSecret();
    const row = await this.db.transaction().execute(async (trx) => {
      const { webhook } = await this.webhookOf(ctx, trx, projectId, webhookId, true);
      const updated = await updateWebhook(trx, webhook.id, { secretSealed: this.secrets.seal(secret) }, this.now());
      await recordAudit(trx, auditEntry(ctx, { projectId, action: 'webhook.secret_rotated', targetType: 'webhook', targetId: webhook.id, changes: null }), this.now());
      return updated;
    });
    return { ...toView(row), secret };
  }

  /** Queues a `webhook.test` event to this one webhook (delivered by the worker like any other). */
  async test(ctx: Ctx, projectId: string, webhookId: string): Promise<{ eventId: string }> {
    return this.db.transaction().execute(async (trx) => {
      const { webhook } = await this.webhookOf(ctx, trx, projectId, webhookId, true);
      const at = this.now();
      const eventId = await writeOutboxEvent(trx, { projectId, type: WEBHOOK_TEST_EVENT, data: { projectId, webhookId: webhook.id } }, at, webhook.id);
      await recordAudit(trx, auditEntry(ctx, { projectId, action: 'webhook.tested', targetType: 'webhook', targetId: webhook.id, changes: null }), this.now());
      return { eventId };
    });
  }

  async deliveries(ctx: Ctx, projectId: string, webhookId: string, page: PageRequest): Promise<Page<DeliveryView>> {
    const { webhook } = await this.webhookOf(ctx, this.db, projectId, webhookId);
    const { page: result, attempts } = await listDeliveries(this.db, webhook.id, page);
    return {
      next: result.next,
      items: result.items.map((d) => ({
        id: d.id,
        eventId: d.event_id,
        type: d.type,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
        createdAt: d.created_at.toISOString(),
        attemptLog: (attempts.get(d.id) ?? []).map((a) => ({
          attemptedAt: a.attempted_at.toISOString(),
          statusCode: a.status_code,
          error: a.error,
          latencyMs: a.latency_ms,
          responseSnippet: a.response_snippet,
        })),
      })),
    };
  }

  /** Sends a delivery again, now, with a fresh retry schedule (its attempt log is kept). */
  async redeliver(ctx: Ctx, projectId: string, webhookId: string, deliveryId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const { webhook } = await this.webhookOf(ctx, trx, projectId, webhookId, true);
      if (!isUuid(deliveryId) || !(await requeueDelivery(trx, webhook.id, deliveryId, this.now()))) throw notFound('Delivery');
      await recordAudit(trx, auditEntry(ctx, { projectId, action: 'webhook.redelivery_requested', targetType: 'webhook', targetId: webhook.id, changes: { deliveryId: { before: null, after: deliveryId } } }), this.now());
    });
  }
}
