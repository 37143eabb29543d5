import type { ApiKey } from './api-key.js';

/** The events of nest-api-key-auth's webhooks, and `key.restored` (a restored revocation). */
export type WebhookEvent = 'key.created' | 'key.revoked' | 'key.rotated' | 'key.expired' | 'key.expiring' | 'key.restored';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['key.created', 'key.revoked', 'key.rotated', 'key.expired', 'key.expiring', 'key.restored'];

/** What an event says about its key: nest-api-key-auth's payload `data`, never a token or a hash. */
export interface KeyEventData {
  keyId: string;
  keyName: string;
  [field: string]: unknown;
}

export type KeyEventListener = (event: WebhookEvent, data: KeyEventData) => void;

/** The event data of a key: its id, name, scopes and expiry, and what the event adds. */
export function eventData(key: ApiKey, extra: Record<string, unknown> = {}): KeyEventData {
  return { keyId: key.id, keyName: key.name, scopes: key.scopes, expiresAt: key.expiresAt?.toISOString() ?? null, ...extra };
}

/**
 * The module's key events, raised by the services after a change has happened (create, revoke,
 * rotate, restore) and by the expiration monitor. Listeners (the webhook service) run after the
 * change; one that throws never undoes it nor stops the others.
 */
export class KeyEvents {
  private readonly listeners: KeyEventListener[] = [];

  on(listener: KeyEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: WebhookEvent, data: KeyEventData): void {
    for (const listener of this.listeners) {
      try {
        listener(event, data);
      } catch {
        // A listener's failure is its own; the change it reports has happened.
      }
    }
  }
}
