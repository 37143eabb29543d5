import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

type Db = Kysely<Schema>;

/**
 * Deletes up to `limit` finished deliveries (`delivered`, or `failed` for good) that finished
 * before `cutoff`, with their attempts (`on delete cascade`). A delivery's `updated_at` is when
 * its last attempt was recorded, so a finished delivery is kept `retention` after it finished;
 * a redelivered one is pending again (and `updated_at` moves), so it is never pruned while it
 * waits. One short statement per batch: `skip locked` lets several instances prune at once
 * without waiting for each other, or for a delivery the worker is recording right now.
 * Answers how many were deleted.
 */
export async function pruneFinishedDeliveries(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await sql`
    delete from webhook_deliveries where id in (
      select id from webhook_deliveries
      where status in ('delivered', 'failed') and updated_at < ${cutoff}
      limit ${limit}
      for update skip locked
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Deletes up to `limit` outbox events written before `cutoff` that no delivery refers to any
 * more (their deliveries were pruned, or no webhook was subscribed to them). Deliveries are
 * only ever written with their event, so an old event gains none; the delivery listing joins
 * deliveries to their events, and an event without deliveries is shown nowhere.
 */
export async function pruneOrphanEvents(db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await sql`
    delete from webhook_events where id in (
      select e.id from webhook_events e
      where e.created_at < ${cutoff}
        and not exists (select 1 from webhook_deliveries d where d.event_id = e.id)
      limit ${limit}
      for update skip locked
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
