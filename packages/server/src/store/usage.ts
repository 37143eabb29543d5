import type { UsageEvent } from '@elyzor/core';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { recordFailures, type FailureCount } from './audit.js';

/**
 * Writes a batch of usage events, the credentials' `last_used_at` and the failed-verification
 * counts of the audit log in one transaction. Rows
 * are joined to `credentials`, so events of a credential deleted meanwhile (its project was
 * deleted) are dropped instead of failing the whole batch on a foreign key.
 */
export async function writeUsage(db: Kysely<Schema>, events: readonly UsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  const ids: string[] = [];
  const outcomes: string[] = [];
  const latencies: number[] = [];
  const times: string[] = [];
  const lastUsed = new Map<string, number>();
  const failures = new Map<string, FailureCount>();
  for (const event of events) {
    if (event.outcome !== 'valid') {
      const minute = event.at - (event.at % 60_000);
      const id = `${event.credentialId}|${event.outcome}|${minute}`;
      const entry = failures.get(id);
      if (entry !== undefined) entry.count++;
      else failures.set(id, { projectId: event.projectId, credentialId: event.credentialId, kind: event.kind, outcome: event.outcome, minute, count: 1 });
    }
    ids.push(event.credentialId);
    outcomes.push(event.outcome);
    latencies.push(event.latencyMs);
    times.push(new Date(event.at).toISOString());
    if (event.outcome === 'valid' && (lastUsed.get(event.credentialId) ?? 0) < event.at) lastUsed.set(event.credentialId, event.at);
  }
  await db.transaction().execute(async (trx) => {
    await sql`
      insert into usage_events (project_id, credential_id, outcome, latency_ms, created_at)
      select c.project_id, v.credential_id, v.outcome, v.latency_ms, v.created_at
      from unnest(${ids}::uuid[], ${outcomes}::text[], ${latencies}::real[], ${times}::timestamptz[])
        as v(credential_id, outcome, latency_ms, created_at)
      join credentials c on c.id = v.credential_id
      -- Holds off a concurrent project deletion until these rows are in, so that it removes them.
      for key share of c`.execute(trx);
    if (lastUsed.size > 0) {
      const usedIds = [...lastUsed.keys()];
      const usedAt = [...lastUsed.values()].map((ms) => new Date(ms).toISOString());
      await sql`
        update credentials c set last_used_at = greatest(coalesce(c.last_used_at, v.at), v.at)
        from unnest(${usedIds}::uuid[], ${usedAt}::timestamptz[]) as v(id, at)
        where c.id = v.id`.execute(trx);
    }
    await recordFailures(trx, [...failures.values()]);
  });
}
