import type { WebhookEventType } from '@elyzor/contract';
import type { CredentialView } from '../credentials/view.js';
import type { CredentialKind } from '../verify/record.js';

/** The catalogue is part of the wire contract; the engine emits from it. */
export { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, type WebhookEventType } from '@elyzor/contract';

/** What happened to a credential, as an event type: `key.rotated`, `service.expiring`, … */
export type CredentialEventAction = 'created' | 'updated' | 'rotated' | 'revoked' | 'disabled' | 'expiring' | 'expired';

/**
 * An event as a verb writes it to the outbox, in the unit of work of the change that caused it.
 * `data` is built from views (never a plaintext credential nor a digest).
 */
export interface OutboxEvent {
  projectId: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/**
 * The event of a credential's change: `data` is `{ projectId, key: view }` (or `service:` for
 * services), plus `extra` (a rotation's `replacement`, an update's `changes`, an expiry
 * notice's `daysLeft`).
 */
export function credentialEvent(kind: CredentialKind, action: CredentialEventAction, projectId: string, view: CredentialView, extra: Record<string, unknown> = {}): OutboxEvent {
  return { projectId, type: `${kind}.${action}`, data: { projectId, [kind]: view, ...extra } };
}

/** Who changed a membership, in a `member.*` event: a person, a root key, … (never a token). */
export interface EventActor {
  type: string;
  id: string | null;
}

/**
 * The event of a membership change, for one project's webhooks. `member.added`: the user gained
 * access, or their role there changed (`previousRole` is then the old one, else null);
 * `member.removed`: the user lost access to the workspace (`role` is the one they had).
 */
export function memberEvent(
  type: 'member.added' | 'member.removed',
  change: { workspaceId: string; projectId: string; userId: string; email: string | null; role: string; previousRole: string | null; actor: EventActor },
): OutboxEvent {
  return { projectId: change.projectId, type, data: { ...change } };
}
