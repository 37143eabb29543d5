/**
 * Who calls a verb. Every verb authorizes its caller first (`authorize.ts`), so a new kind of
 * caller (a root key, a team member with a role) adds a check in one place.
 */
export type Actor =
  /** A person signed in to the management API. */
  | { type: 'user'; userId: string }
  /** A machine credential of a workspace, limited to its permissions. */
  | { type: 'root_key'; rootKeyId: string; workspaceId: string; permissions: readonly string[] }
  /** A service identity acting on its own project. */
  | { type: 'service'; serviceId: string; projectId: string }
  /** Elyzor itself: schedulers, migrations, the embedded library's own calls. */
  | { type: 'system'; name: string }
  /** An operator at the command line, with direct access to the store. */
  | { type: 'cli'; name: string };

/** The caller of a verb and where the call came from (for the audit log). */
export interface Ctx {
  actor: Actor;
  requestId?: string | null;
  ip?: string | null;
}

/** The id an audit entry records as the actor (null for system and cli callers). */
export function actorId(actor: Actor): string | null {
  switch (actor.type) {
    case 'user':
      return actor.userId;
    case 'root_key':
      return actor.rootKeyId;
    case 'service':
      return actor.serviceId;
    case 'system':
    case 'cli':
      return null;
  }
}
