import { actorId, authorizeWorkspace, isUuid, notFound, roleHolder, type Clock, type Ctx, type Role, type WorkspaceAction } from '@elyzor/core';
import type { DB } from '../db/database.js';
import type { AuditChanges, AuditTargetType } from '../db/schema.js';
import { recordAudit } from '../store/audit.js';
import { findWorkspace, type WorkspaceRow } from '../store/workspaces.js';

/**
 * The workspace if `ctx`'s caller may do `action` on it (the engine's `authorizeWorkspace`
 * decides); a malformed or unknown id, or a workspace out of reach, is 404. `update` locks it for
 * a change of membership.
 */
export async function reachWorkspace(db: DB, ctx: Ctx, workspaceId: string, action: WorkspaceAction, lock?: 'update' | 'key share'): Promise<WorkspaceRow> {
  return authorizeWorkspace(ctx, isUuid(workspaceId) ? await findWorkspace(db, workspaceId, roleHolder(ctx), lock) : undefined, action);
}

/** Who makes a membership change, for the engine's membership rules: a person's role, or a machine. */
export function changedBy(ctx: Ctx, role: Role | null): Role | 'machine' {
  if (ctx.actor.type === 'user') {
    if (role === null) throw notFound('Workspace');
    return role;
  }
  return 'machine';
}

/** The person calling, for verbs only a person can do (create a workspace, accept an invitation). */
export function personOf(ctx: Ctx): string | null {
  return ctx.actor.type === 'user' ? ctx.actor.userId : null;
}

/** An audit entry of the workspace, in the transaction of the change it records, at `clock`'s time. */
export async function auditWorkspace(
  db: DB,
  ctx: Ctx,
  clock: Clock,
  entry: { workspaceId: string; projectId?: string | null; action: string; targetType: AuditTargetType; targetId: string | null; changes: AuditChanges | null },
): Promise<void> {
  await recordAudit(db, {
    workspaceId: entry.workspaceId,
    projectId: entry.projectId ?? null,
    actorId: actorId(ctx.actor),
    actorType: ctx.actor.type,
    requestId: ctx.requestId ?? null,
    ip: ctx.ip ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    changes: entry.changes,
  }, new Date(clock.now()));
}
