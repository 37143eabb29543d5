import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Schema, WebhooksTable } from '../db/schema.js';
import { afterCursor, decodeCursor, toPage, type Page, type PageRequest } from './page.js';

type Db = Kysely<Schema>;
export type WebhookRow = Selectable<WebhooksTable>;

export interface NewWebhook {
  projectId: string;
  url: string;
  events: readonly string[];
  description: string | null;
  secretSealed: string;
  at: Date;
}

export interface WebhookPatch {
  url?: string;
  events?: readonly string[];
  description?: string | null;
  enabled?: boolean;
  secretSealed?: string;
}

export async function insertWebhook(db: Db, values: NewWebhook): Promise<WebhookRow> {
  return db
    .insertInto('webhooks')
    .values({
      project_id: values.projectId,
      url: values.url,
      events: JSON.stringify(values.events),
      description: values.description,
      secret_sealed: values.secretSealed,
      created_at: values.at,
      updated_at: values.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The webhook of this project, optionally locked for a read-modify-write; undefined if it is another project's or gone. */
export async function findWebhook(db: Db, projectId: string, id: string, lock = false): Promise<WebhookRow | undefined> {
  const query = db.selectFrom('webhooks').selectAll().where('id', '=', id).where('project_id', '=', projectId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function listWebhooks(db: Db, projectId: string, page: PageRequest): Promise<Page<WebhookRow>> {
  let query = db.selectFrom('webhooks').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1);
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor));
  return toPage(await query.execute(), page.limit);
}

export async function updateWebhook(db: Db, id: string, patch: WebhookPatch, at: Date): Promise<WebhookRow> {
  const columns: Updateable<WebhooksTable> = { updated_at: at };
  if (patch.url !== undefined) columns.url = patch.url;
  if (patch.events !== undefined) columns.events = JSON.stringify(patch.events);
  if (patch.description !== undefined) columns.description = patch.description;
  if (patch.enabled !== undefined) columns.enabled = patch.enabled;
  if (patch.secretSealed !== undefined) columns.secret_sealed = patch.secretSealed;
  return db.updateTable('webhooks').set(columns).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteWebhook(db: Db, id: string): Promise<void> {
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
}

export interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  response_snippet: string | null;
}

/** A webhook's deliveries, newest first, with every attempt of each (oldest first). */
export async function listDeliveries(db: Db, webhookId: string, page: PageRequest): Promise<{ page: Page<DeliveryRow>; attempts: Map<string, AttemptRow[]> }> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.event_id', 'e.type', 'd.status', 'd.attempts', 'd.next_attempt_at', 'd.created_at'])
    .where('d.webhook_id', '=', webhookId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor !== undefined) {
    // The cursor's columns, qualified: deliveries are read joined with their events.
    const after = decodeCursor(page.cursor);
    query = query.where(sql<boolean>`(d.created_at, d.id) < (${after.createdAt}, ${after.id}::uuid)`);
  }
  const result = toPage(await query.execute(), page.limit);
  const ids = result.items.map((d) => d.id);
  const attempts = new Map<string, AttemptRow[]>();
  if (ids.length > 0) {
    const rows = await db
      .selectFrom('webhook_attempts')
      .select(['delivery_id', 'attempted_at', 'status_code', 'error', 'latency_ms', 'response_snippet'])
      .where('delivery_id', '=', sql<string>`any(${ids}::uuid[])`)
      .orderBy('id')
      .execute();
    for (const row of rows) attempts.set(row.delivery_id, [...(attempts.get(row.delivery_id) ?? []), row]);
  }
  return { page: result, attempts };
}

/** A delivery of this webhook, due again now with a fresh retry schedule; false if there is none. */
export async function requeueDelivery(db: Db, webhookId: string, deliveryId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: at, locked_until: null, updated_at: at })
    .where('id', '=', deliveryId)
    .where('webhook_id', '=', webhookId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
