import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

type Db = Kysely<Schema>;

/** A delivery claimed by this instance, with what it takes to send it. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  url: string;
  secretSealed: string;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`: `for update skip locked` lets several
 * instances claim at once without waiting for or taking each other's rows, and the lease
 * (`locked_until`) keeps a claimed row from being claimed again while it is being sent. An
 * instance that crashes mid-delivery leaves its lease to expire, and the delivery is claimed
 * again: a retry, never a loss. Deliveries of a disabled webhook wait until it is enabled.
 */
export async function claimDueDeliveries(db: Db, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const until = new Date(now.getTime() + leaseMs);
  const result = await sql<{
    id: string;
    attempts: number;
    event_id: string;
    type: string;
    data: Record<string, unknown>;
    occurred_at: Date;
    url: string;
    secret_sealed: string;
  }>`
    with due as (
      select d.id from webhook_deliveries d
      join webhooks w on w.id = d.webhook_id
      where d.status = 'pending' and d.next_attempt_at <= ${now}
        and (d.locked_until is null or d.locked_until <= ${now}) and w.enabled
      order by d.next_attempt_at
      limit ${limit}
      for update of d skip locked
    ), claimed as (
      update webhook_deliveries d set locked_until = ${until}
      from due where d.id = due.id
      returning d.id, d.attempts, d.event_id, d.webhook_id
    )
    select c.id, c.attempts, c.event_id, e.type, e.data, e.created_at as occurred_at, w.url, w.secret_sealed
    from claimed c join webhook_events e on e.id = c.event_id join webhooks w on w.id = c.webhook_id`.execute(db);
  return result.rows.map((r) => ({
    id: r.id,
    attempts: r.attempts,
    eventId: r.event_id,
    type: r.type,
    data: r.data,
    occurredAt: new Date(r.occurred_at),
    url: r.url,
    secretSealed: r.secret_sealed,
  }));
}

export interface AttemptRecord {
  deliveryId: string;
  at: Date;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  snippet: string | null;
  /** What the delivery becomes: delivered, failed for good, or pending again at `nextAttemptAt`. */
  outcome: { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date };
}

/**
 * Records an attempt and its consequence in one transaction, and releases the lease. A delivery
 * deleted meanwhile (its webhook or project was deleted) has nothing left to record.
 */
export async function recordAttempt(db: Db, attempt: AttemptRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const held = await trx.selectFrom('webhook_deliveries').select('id').where('id', '=', attempt.deliveryId).forUpdate().executeTakeFirst();
    if (held === undefined) return;
    await trx
      .insertInto('webhook_attempts')
      .values({
        delivery_id: attempt.deliveryId,
        attempted_at: attempt.at,
        status_code: attempt.statusCode,
        error: attempt.error,
        latency_ms: attempt.latencyMs,
        response_snippet: attempt.snippet,
      })
      .execute();
    await trx
      .updateTable('webhook_deliveries')
      .set({
        status: attempt.outcome.status,
        attempts: sql<number>`attempts + 1`,
        locked_until: null,
        updated_at: attempt.at,
        ...(attempt.outcome.status === 'pending' ? { next_attempt_at: attempt.outcome.nextAttemptAt } : {}),
      })
      .where('id', '=', attempt.deliveryId)
      .execute();
  });
}
