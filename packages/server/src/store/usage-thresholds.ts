import { reachedThresholds, type LimitDecision, type Meter } from '@elyzor/core';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { UsageBucket } from '../usage/usage-buffer.js';
import { writeOutboxEvent } from './webhook-outbox.js';

/** A balance that never refills resets "in a hundred years" in the limiter; the event says never. */
const NEVER_AFTER_MS = 50 * 365 * 86_400_000;

interface Reached {
  projectId: string;
  kind: UsageBucket['kind'];
  credentialId: string;
  meter: Meter;
  threshold: number;
  decision: LimitDecision;
  at: number;
}

/**
 * After the counts of a batch are in, in its transaction: every quota or credit threshold the
 * batch's verifications reached (what the limiter answered them, the lowest of each credential)
 * gets its `usage.quota_threshold` event, once per credential, threshold, period and amount. The
 * notice row decides "once": a later flush, here or on another instance, finds it. Credentials
 * deleted meanwhile are skipped.
 */
export async function announceThresholds(db: Kysely<Schema>, buckets: readonly UsageBucket[]): Promise<void> {
  const lowest = new Map<string, Reached>();
  for (const bucket of buckets) {
    for (const meter of ['quota', 'credits'] as const) {
      const decision = bucket[meter];
      if (decision === null || decision === undefined) continue;
      for (const threshold of reachedThresholds(meter, decision)) {
        const key = `${bucket.credentialId}|${meter}|${threshold}|${decision.resetAt}|${decision.limit}`;
        const seen = lowest.get(key);
        if (seen === undefined || seen.decision.remaining > decision.remaining) {
          lowest.set(key, { projectId: bucket.projectId, kind: bucket.kind, credentialId: bucket.credentialId, meter, threshold, decision, at: bucket.lastAt });
        }
      }
    }
  }
  if (lowest.size === 0) return;
  const reached = [...lowest.values()].sort((x, y) => (x.credentialId < y.credentialId ? -1 : x.credentialId > y.credentialId ? 1 : 0));
  const noted = await sql<{ credential_id: string; meter: Meter; threshold: number; period_end: Date; period_limit: string }>`
    insert into usage_threshold_notices (credential_id, meter, threshold, period_end, period_limit, created_at)
    select v.credential_id, v.meter, v.threshold, v.period_end, v.period_limit, v.created_at
    from unnest(
      ${reached.map((r) => r.credentialId)}::uuid[], ${reached.map((r) => r.meter)}::text[], ${reached.map((r) => r.threshold)}::int[],
      ${reached.map((r) => new Date(r.decision.resetAt).toISOString())}::timestamptz[], ${reached.map((r) => r.decision.limit)}::bigint[],
      ${reached.map((r) => new Date(r.at).toISOString())}::timestamptz[]
    ) as v(credential_id, meter, threshold, period_end, period_limit, created_at)
    join credentials c on c.id = v.credential_id
    on conflict do nothing
    returning credential_id, meter, threshold, period_end, period_limit::text`.execute(db);
  for (const row of noted.rows) {
    const r = lowest.get(`${row.credential_id}|${row.meter}|${row.threshold}|${new Date(row.period_end).getTime()}|${row.period_limit}`);
    if (r === undefined) continue;
    const { limit, remaining, resetAt } = r.decision;
    const data = {
      projectId: r.projectId,
      [r.kind]: { id: r.credentialId },
      meter: r.meter,
      threshold: r.threshold,
      limit,
      remaining: Math.max(0, remaining),
      periodEndsAt: resetAt - r.at > NEVER_AFTER_MS ? null : new Date(resetAt).toISOString(),
    };
    // The event happened when the verification that reached it was counted; it is due at once.
    await writeOutboxEvent(db, { projectId: r.projectId, type: 'usage.quota_threshold', data }, new Date(r.at));
  }
}
