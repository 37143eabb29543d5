import type { OutboxEvent } from '@elyzor/core';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

type Db = Kysely<Schema>;

/**
 * Writes an event to the outbox and, in the same statement, one pending delivery for each
 * enabled webhook of the project subscribed to its type at this moment. Call it inside the
 * transaction of the change: the change, its event and its deliveries land together, or none.
 * `onlyWebhookId` limits the fan-out to one webhook (the test event).
 */
export async function writeOutboxEvent(db: Db, event: OutboxEvent | (Omit<OutboxEvent, 'type'> & { type: string }), at: Date, onlyWebhookId?: string): Promise<string> {
  const only = onlyWebhookId === undefined ? sql`w.events @> jsonb_build_array(${event.type}::text)` : sql`w.id = ${onlyWebhookId}`;
  const result = await sql<{ id: string }>`
    with event as (
      insert into webhook_events (project_id, type, data, created_at)
      values (${event.projectId}, ${event.type}, ${JSON.stringify(event.data)}::jsonb, ${at})
      returning id
    ), fanned as (
      insert into webhook_deliveries (webhook_id, event_id, next_attempt_at, created_at, updated_at)
      select w.id, event.id, ${at}, ${at}, ${at} from webhooks w, event
      where w.project_id = ${event.projectId} and w.enabled and ${only}
    )
    select id from event`.execute(db);
  const row = result.rows[0];
  if (row === undefined) throw new Error('the outbox event was not written');
  return row.id;
}
