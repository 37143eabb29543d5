import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import type { ApiKeyBackend, ExpiryNotice } from './backend.js';
import { invalidInput } from './exceptions.js';
import { eventData, type KeyEvents } from './key-events.js';
import type { ResolvedOptions } from './options.js';
import { API_KEY_BACKEND, API_KEY_EVENTS, API_KEY_MODULE_OPTIONS } from './tokens.js';

const DAY_MS = 86_400_000;

/** One notice sent by a check. */
export interface ExpirationNotice {
  keyId: string;
  event: 'key.expiring' | 'key.expired';
  /** For `key.expiring`: the threshold reached (days before expiry). */
  thresholdDays?: number;
}

/**
 * The notice a key is due, if any: `expired` once it has expired, else the smallest threshold
 * that its remaining time has reached and that was not sent yet. Pure: `now` is an argument.
 */
export function dueNotice(expiresAt: number, now: number, thresholds: readonly number[], last: ExpiryNotice | null): ExpiryNotice | null {
  if (last === 'expired') return null;
  if (expiresAt <= now) return 'expired';
  const reached = thresholds.filter((days) => expiresAt - now <= days * DAY_MS);
  if (reached.length === 0) return null;
  const smallest = Math.min(...reached);
  return last !== null && last <= smallest ? null : smallest;
}

/**
 * nest-api-key-auth's expiration monitoring (`expirationNotificationOptions`): every
 * `checkIntervalMs`, each key expiring within a threshold of `warningThresholdsDays` raises
 * `key.expiring` (once per threshold) and each expired key `key.expired` (once); with
 * `enableWebhooks` they are delivered to the receivers that list them. What was sent is kept on
 * the key (local: its attributes; remote: its metadata), so a restart or a second instance does
 * not send it again. With `enabled: true` the checks start with the app; else call `startMonitoring()`.
 */
@Injectable()
export class ExpirationNotificationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ApiKeyExpiration');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
    @Inject(API_KEY_MODULE_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(API_KEY_EVENTS) private readonly events: KeyEvents,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.expiration.enabled) this.startMonitoring();
  }

  /** Checks now, then every `checkIntervalMs`; a second call does nothing. */
  startMonitoring(): void {
    if (this.timer !== null) return;
    const tick = (): void => {
      // One check at a time: a slow store never piles checks up.
      this.running ??= this.checkExpiringKeys()
        .catch((error: unknown) => this.logger.error(`expiration check failed: ${error instanceof Error ? error.name : 'error'}`))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.options.expiration.checkIntervalMs);
    this.timer.unref();
    tick();
  }

  stopMonitoring(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check: the notices it raised. */
  async checkExpiringKeys(): Promise<ExpirationNotice[]> {
    const now = Date.now();
    const sent: ExpirationNotice[] = [];
    for (const key of await this.keys.findAll()) {
      if (key.expiresAt === null || (key.state !== 'active' && key.state !== 'expired')) continue;
      try {
        const notice = dueNotice(key.expiresAt.getTime(), now, this.options.expiration.warningThresholdsDays, await this.backend.expiryNotice(key.id));
        if (notice === null) continue;
        // Marked first: a crash between the two loses a notice rather than sending it twice.
        await this.backend.markExpiryNotice(key.id, notice);
        sent.push(this.raise(key, notice, now));
      } catch {
        // One key that cannot be marked (a rotated one in its grace period, say) does not stop the others.
        this.logger.warn(`expiration notice for key ${key.id} not sent`);
      }
    }
    return sent;
  }

  private raise(key: ApiKey, notice: ExpiryNotice, now: number): ExpirationNotice {
    if (notice === 'expired') {
      this.events.emit('key.expired', eventData(key, { expiredAt: key.expiresAt?.toISOString() }));
      return { keyId: key.id, event: 'key.expired' };
    }
    const daysUntilExpiration = Math.ceil(((key.expiresAt?.getTime() ?? now) - now) / DAY_MS);
    this.events.emit('key.expiring', eventData(key, { daysUntilExpiration, thresholdDays: notice }));
    return { keyId: key.id, event: 'key.expiring', thresholdDays: notice };
  }

  /** The keys (not revoked) that expire within `days` from now. */
  async getKeysExpiringSoon(days: number): Promise<ApiKey[]> {
    if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) throw invalidInput('days must be a non-negative number');
    const now = Date.now();
    return (await this.keys.findAll()).filter((key) => key.state === 'active' && key.expiresAt !== null && key.expiresAt.getTime() <= now + days * DAY_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopMonitoring();
    await this.running;
  }
}
