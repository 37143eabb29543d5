import { credentialEvent, toCredentialView, type Clock } from '@elyzor/core';
import { sql } from 'kysely';
import type { DB } from '../db/database.js';
import { PeriodicTask } from '../infra/periodic-task.js';
import type { CredentialRow } from '../store/credentials.js';
import { toCredential } from '../store/sql-credential-store.js';
import { writeOutboxEvent } from '../store/webhook-outbox.js';
import { dueNotice, EXPIRED_NOTICE_WINDOW_MS } from './expiry-notices.js';
import type { WorkerLogger } from './worker.js';

/** Arbitrary, fixed: the advisory lock that lets one instance at a time run the monitor. */
const EXPIRY_MONITOR_LOCK = 7_351_963;
const DAY = 86_400_000;
const BATCH = 500;

/**
 * Emits `key.expiring` (30, 7, 1 days before `expiresAt`) and `key.expired` (and the same for
 * services), each once, on a timer inside the service. One instance at a time: each pass is one
 * transaction that first takes a transaction-level advisory lock, and an instance that does not
 * get it skips its pass. The notice is recorded in the transaction of its event, so a crash
 * never sends one twice nor loses it. It changes no credential: expiry is enforced at
 * verification, as always.
 */
export class ExpiryMonitor extends PeriodicTask {
  constructor(
    private readonly db: DB,
    private readonly clock: Clock,
    intervalMs: number,
    private readonly log: WorkerLogger,
  ) {
    super(intervalMs, (error: unknown) => log.error({ err: error }, 'expiry monitor pass failed'));
  }

  /** One pass; answers how many notices it emitted (0 when another instance holds the lock). */
  protected pass(): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const locked = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${EXPIRY_MONITOR_LOCK}) as locked`.execute(trx);
      if (locked.rows[0]?.locked !== true) return 0;
      // Live credentials whose expiry is within 30 days or just past, not yet told they expired.
      const candidates = await sql<CredentialRow & { sent: string[] | null }>`
        select c.*, (select array_agg(n.notice) from credential_expiry_notices n where n.credential_id = c.id) as sent
        from credentials c
        where c.expires_at is not null and c.revoked_at is null
          and c.expires_at <= ${new Date(now + 30 * DAY)} and c.expires_at > ${new Date(now - EXPIRED_NOTICE_WINDOW_MS)}
          and not exists (select 1 from credential_expiry_notices n where n.credential_id = c.id and n.notice = 'expired')
        order by c.expires_at
        limit ${BATCH}`.execute(trx);
      let emitted = 0;
      for (const row of candidates.rows) {
        const credential = toCredential(row);
        if (credential.expiresAt === null) continue;
        const due = dueNotice(credential.expiresAt.getTime(), now, new Set(row.sent ?? []));
        if (due === null) continue;
        const at = new Date(now);
        await trx
          .insertInto('credential_expiry_notices')
          .values(due.covers.map((notice) => ({ credential_id: credential.id, notice, sent_at: at })))
          .onConflict((oc) => oc.doNothing())
          .execute();
        const view = toCredentialView(credential, now);
        const event =
          due.notice === 'expired'
            ? credentialEvent(credential.kind, 'expired', credential.projectId, view)
            : credentialEvent(credential.kind, 'expiring', credential.projectId, view, { daysLeft: Math.max(0, Math.ceil((credential.expiresAt.getTime() - now) / DAY)) });
        await writeOutboxEvent(trx, event, at);
        emitted += 1;
      }
      return emitted;
    });
  }
}
