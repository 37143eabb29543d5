import { actorId, memberEvent, type Ctx } from '@elyzor/core';
import type { DB } from '../db/database.js';
import { writeOutboxEvent } from '../store/webhook-outbox.js';

/**
 * Writes the `member.added` / `member.removed` events of a membership change to the outbox, in
 * the transaction of the change. Webhooks belong to projects, memberships to workspaces: a change
 * of a workspace membership goes to the webhooks of every project of the workspace, a change of a
 * per-project role (`projectId`) to that project's only. The payload names the user and the
 * actor; it never holds a token.
 */
export async function announceMember(
  db: DB,
  ctx: Ctx,
  at: Date,
  change: { type: 'member.added' | 'member.removed'; workspaceId: string; projectId?: string; userId: string; role: string; previousRole: string | null },
): Promise<void> {
  const projectIds =
    change.projectId !== undefined ? [change.projectId] : (await db.selectFrom('projects').select('id').where('workspace_id', '=', change.workspaceId).orderBy('id').execute()).map((r) => r.id);
  if (projectIds.length === 0) return;
  const user = await db.selectFrom('users').select('email').where('id', '=', change.userId).executeTakeFirst();
  const actor = { type: ctx.actor.type, id: actorId(ctx.actor) };
  for (const projectId of projectIds) {
    const { type, workspaceId, userId, role, previousRole } = change;
    await writeOutboxEvent(db, memberEvent(type, { workspaceId, projectId, userId, email: user?.email ?? null, role, previousRole, actor }), at);
  }
}
