import { actorId, type Ctx } from './context.js';
import type { AuditEntry } from './ports.js';

/** An audit entry of `ctx`'s caller. */
export function auditEntry(ctx: Ctx, entry: Omit<AuditEntry, 'actorId' | 'actorType' | 'requestId' | 'ip'>): AuditEntry {
  return { ...entry, actorId: actorId(ctx.actor), actorType: ctx.actor.type, requestId: ctx.requestId ?? null, ip: ctx.ip ?? null };
}
