import { sql, type Kysely } from 'kysely';
import type { AuditEntry } from '@elyzor/core';
import type { AuditChanges, AuditTargetType, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

type Db = Kysely<Schema>;

/**
 * An audit entry as stored: the engine's (of a project), or one of a workspace that may name no
 * project (membership, invitations, root keys).
 */
export interface StoredAuditEntry extends Omit<AuditEntry, 'projectId' | 'targetType'> {
  projectId: string | null;
  /** Read from the project when absent. */
  workspaceId?: string | null;
  targetType: AuditTargetType;
}

/**
 * Call inside the transaction of the change it records: both land, or neither. `at` is the
 * entry's time, read from the caller's injected clock (never the database's `now()`), so that
 * the audit log and the rows it describes agree under any clock.
 */
export async function recordAudit(db: Db, entry: StoredAuditEntry, at: Date): Promise<void> {
  const { projectId } = entry;
  await db
    .insertInto('audit_events')
    .values({
      project_id: projectId,
      workspace_id:
        entry.workspaceId !== undefined || projectId === null
          ? (entry.workspaceId ?? null)
          : db.selectFrom('projects').select('workspace_id').where('id', '=', projectId),
      actor_id: entry.actorId,
      actor_type: entry.actorType ?? null,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      request_id: entry.requestId,
      ip: entry.ip,
      changes: entry.changes === null ? null : JSON.stringify(entry.changes),
      created_at: at,
    })
    .execute();
}

export interface FailureCount {
  projectId: string;
  credentialId: string;
  kind: 'key' | 'service';
  outcome: string;
  /** Start of the minute, ms since the epoch. */
  minute: number;
  count: number;
}

/** Adds failed verifications to their (credential, outcome, minute) rows: a flood grows counts, not rows. */
export async function recordFailures(db: Db, failures: readonly FailureCount[]): Promise<void> {
  if (failures.length === 0) return;
  await sql`
    insert into audit_events (project_id, action, target_type, target_id, outcome, count, created_at)
    select v.project_id, 'verification.failed', v.kind, v.target_id, v.outcome, v.count, v.minute
    from unnest(${failures.map((f) => f.projectId)}::uuid[], ${failures.map((f) => f.kind)}::text[],
                ${failures.map((f) => f.credentialId)}::uuid[], ${failures.map((f) => f.outcome)}::text[],
                ${failures.map((f) => f.count)}::int[], ${failures.map((f) => new Date(f.minute).toISOString())}::timestamptz[])
      as v(project_id, kind, target_id, outcome, count, minute)
    join credentials c on c.id = v.target_id
    on conflict (target_id, outcome, created_at) where action = 'verification.failed'
    do update set count = audit_events.count + excluded.count`.execute(db);
}

export interface AuditFilters {
  action?: string | undefined;
  targetId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface AuditRow {
  id: string;
  action: string;
  actorId: string | null;
  actorType: string | null;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  ip: string | null;
  changes: AuditChanges | null;
  outcome: string | null;
  count: number;
  createdAt: string;
}

/** A project's audit log, or a workspace's (every entry of it, its projects' included). */
export type AuditScope = { projectId: string } | { workspaceId: string };

export async function listAudit(db: Db, scope: AuditScope | string, filters: AuditFilters, page: PageRequest): Promise<Page<AuditRow>> {
  const of: AuditScope = typeof scope === 'string' ? { projectId: scope } : scope;
  let query = db
    .selectFrom('audit_events')
    .selectAll()
    .where((eb) => ('projectId' in of ? eb('project_id', '=', of.projectId) : eb('workspace_id', '=', of.workspaceId)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (filters.action !== undefined) query = query.where('action', '=', filters.action);
  if (filters.targetId !== undefined) query = query.where('target_id', '=', filters.targetId);
  if (filters.from !== undefined) query = query.where('created_at', '>=', filters.from);
  if (filters.to !== undefined) query = query.where('created_at', '<', filters.to);
  // Audit ids are integers, not UUIDs.
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor, 'bigint'));
  const { items, next } = toPage(await query.execute(), page.limit);
  return {
    next,
    items: items.map((r) => ({
      id: String(r.id),
      action: r.action,
      actorId: r.actor_id,
      actorType: r.actor_type,
      targetType: r.target_type,
      targetId: r.target_id,
      requestId: r.request_id,
      ip: r.ip,
      changes: r.changes,
      outcome: r.outcome,
      count: r.count,
      createdAt: r.created_at.toISOString(),
    })),
  };
}
