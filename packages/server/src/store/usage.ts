import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { lowerOf, type UsageBucket } from '../usage/usage-buffer.js';
import { recordFailures, type FailureCount } from './audit.js';
import { announceThresholds } from './usage-thresholds.js';
import { writeOutboxEvent } from './webhook-outbox.js';

/** The roll-ups of `usage_counts` (migration 004), each keyed by its unit. */
const ROLLUPS = [
  { table: 'usage_hourly', unit: 'hour' },
  { table: 'usage_daily', unit: 'day' },
] as const;

/**
 * Adds a batch of usage buckets to `usage_counts` and its hourly and daily roll-ups, and writes the credentials' `last_used_at`
 * and the failed-verification counts of the audit log, in one transaction. Rows are joined to
 * `credentials`, so buckets of a credential deleted meanwhile (its project was deleted) are
 * dropped instead of failing the whole batch.
 */
export interface WriteUsageOptions {
  /**
   * Refused verifications of one project in one minute that make a `verification.failure_burst`
   * webhook event (sent once per project and minute); 0: none.
   */
  failureBurstPerMinute: number;
}

export async function writeUsage(db: Kysely<Schema>, buckets: readonly UsageBucket[], options: WriteUsageOptions = { failureBurstPerMinute: 0 }): Promise<void> {
  if (buckets.length === 0) return;
  // One row per key: an upsert cannot touch the same row twice in one statement. The buffer
  // never repeats a key within a batch; this keeps any other caller correct too.
  const byKey = new Map<string, UsageBucket>();
  for (const bucket of buckets) {
    const key = `${bucket.credentialId}|${bucket.outcome}|${bucket.minute}`;
    const same = byKey.get(key);
    if (same === undefined) {
      byKey.set(key, bucket);
    } else {
      byKey.set(key, {
        ...same,
        count: same.count + bucket.count,
        latencySum: same.latencySum + bucket.latencySum,
        lastAt: Math.max(same.lastAt, bucket.lastAt),
        quota: lowerOf(same.quota, bucket.quota),
        credits: lowerOf(same.credits, bucket.credits),
      });
    }
  }
  const ids: string[] = [];
  const outcomes: string[] = [];
  const minutes: string[] = [];
  const counts: number[] = [];
  const latencySums: number[] = [];
  const lastUsed = new Map<string, number>();
  const failures: FailureCount[] = [];
  // In key order: two instances writing the same minutes (and hours, days) lock them in the same
  // order, and so never deadlock each other.
  const sorted = [...byKey.values()].sort((x, y) => (x.credentialId < y.credentialId ? -1 : x.credentialId > y.credentialId ? 1 : x.minute - y.minute || (x.outcome < y.outcome ? -1 : x.outcome > y.outcome ? 1 : 0)));
  for (const bucket of sorted) {
    ids.push(bucket.credentialId);
    outcomes.push(bucket.outcome);
    minutes.push(new Date(bucket.minute).toISOString());
    counts.push(bucket.count);
    latencySums.push(bucket.latencySum);
    if (bucket.outcome === 'valid') {
      if ((lastUsed.get(bucket.credentialId) ?? 0) < bucket.lastAt) lastUsed.set(bucket.credentialId, bucket.lastAt);
    } else {
      const { projectId, credentialId, kind, outcome, minute, count } = bucket;
      failures.push({ projectId, credentialId, kind, outcome, minute, count });
    }
  }
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into usage_counts (project_id, credential_id, outcome, minute, count, latency_sum)
      select c.project_id, v.credential_id, v.outcome, v.minute, v.count, v.latency_sum
      from unnest(${ids}::uuid[], ${outcomes}::text[], ${minutes}::timestamptz[], ${counts}::int[], ${latencySums}::float8[])
        as v(credential_id, outcome, minute, count, latency_sum)
      join credentials c on c.id = v.credential_id
      -- Holds off a concurrent project deletion until these rows are in, so that it removes them.
      for key share of c
      on conflict (credential_id, minute, outcome) do update
        set count = usage_counts.count + excluded.count,
            latency_sum = usage_counts.latency_sum + excluded.latency_sum`.execute(trx);
    // The roll-ups, in the same transaction: they can never disagree with the minutes. Rows in
    // key order, so that two instances adding to the same hour lock its rows in the same order.
    for (const { table, unit } of ROLLUPS) {
      await sql`
        insert into ${sql.table(table)} (project_id, credential_id, outcome, ${sql.ref(unit)}, count, latency_sum)
        select c.project_id, v.credential_id, v.outcome,
               date_trunc(${unit}, v.minute at time zone 'UTC') at time zone 'UTC', sum(v.count), sum(v.latency_sum)
        from unnest(${ids}::uuid[], ${outcomes}::text[], ${minutes}::timestamptz[], ${counts}::bigint[], ${latencySums}::float8[])
          as v(credential_id, outcome, minute, count, latency_sum)
        join credentials c on c.id = v.credential_id
        group by 1, 2, 3, 4
        order by 2, 4, 3
        on conflict (credential_id, ${sql.ref(unit)}, outcome) do update
          set count = ${sql.table(table)}.count + excluded.count,
              latency_sum = ${sql.table(table)}.latency_sum + excluded.latency_sum`.execute(trx);
    }
    if (lastUsed.size > 0) {
      const usedIds = [...lastUsed.keys()];
      const usedAt = [...lastUsed.values()].map((ms) => new Date(ms).toISOString());
      await sql`
        update credentials c set last_used_at = greatest(coalesce(c.last_used_at, v.at), v.at)
        from unnest(${usedIds}::uuid[], ${usedAt}::timestamptz[]) as v(id, at)
        where c.id = v.id`.execute(trx);
    }
    await recordFailures(trx, failures);
    if (options.failureBurstPerMinute > 0) await announceBursts(trx, failures, options.failureBurstPerMinute);
    await announceThresholds(trx, sorted);
  });
}

/**
 * After the counts of a batch are in: each (project, minute) of the batch whose refused
 * verifications reached `threshold` gets its `verification.failure_burst` event, once. The
 * notice row decides "once" (a later flush, here or on another instance, finds it); a flush that
 * does not yet see a concurrent one's counts leaves the event to the next flush of that minute.
 * Unknown credentials belong to no project and are not counted.
 */
async function announceBursts(db: Kysely<Schema>, failures: readonly FailureCount[], threshold: number): Promise<void> {
  if (failures.length === 0) return;
  const keys = new Map<string, { projectId: string; minute: string }>();
  for (const f of failures) keys.set(`${f.projectId}|${f.minute}`, { projectId: f.projectId, minute: new Date(f.minute).toISOString() });
  const pairs = [...keys.values()];
  const bursts = await sql<{ project_id: string; minute: Date; failures: string }>`
    with burst as (
      select u.project_id, u.minute, sum(u.count) as failures
      from usage_counts u
      join unnest(${pairs.map((p) => p.projectId)}::uuid[], ${pairs.map((p) => p.minute)}::timestamptz[]) as k(project_id, minute)
        on u.project_id = k.project_id and u.minute = k.minute
      where u.outcome <> 'valid'
      group by u.project_id, u.minute
      having sum(u.count) >= ${threshold}
    ), noted as (
      insert into verification_burst_notices (project_id, minute)
      select project_id, minute from burst order by project_id, minute
      on conflict do nothing
      returning project_id, minute
    )
    select noted.project_id, noted.minute, burst.failures::text as failures
    from noted join burst on burst.project_id = noted.project_id and burst.minute = noted.minute`.execute(db);
  for (const burst of bursts.rows) {
    const minute = new Date(burst.minute);
    await writeOutboxEvent(
      db,
      { projectId: burst.project_id, type: 'verification.failure_burst', data: { projectId: burst.project_id, minute: minute.toISOString(), failures: Number(burst.failures), threshold } },
      // The event happened in that minute (from the verifications' own clock); it is due at once.
      minute,
    );
  }
}
