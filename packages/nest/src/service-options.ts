import { WEBHOOK_EVENTS, type WebhookEvent } from './key-events.js';

/** One request through the guard, as nest-api-key-auth's audit log records it. */
export interface AuditLogEntry {
  /** The key's id, or `'unknown'` when the request carried none that was found. */
  keyId: string;
  keyName?: string;
  ipAddress: string;
  method: string;
  path: string;
  statusCode?: number;
  success: boolean;
  /** The refusal's code (`invalid_api_key`, `rate_limit_exceeded`…) when refused. */
  errorMessage?: string;
  timestamp: Date;
  requestId?: string;
}

/** `auditLogOptions`: where `enableAuditLogging` writes each request. */
export interface AuditLogOptions {
  /** A line per request in the Nest logger (no key, no hash); default true. */
  logToConsole?: boolean;
  /** A row per request in the adapter's audit-log table, for `AuditLogService.query`; default false. */
  logToDatabase?: boolean;
  /** Days `AuditLogService.cleanup()` keeps; default 90. */
  retentionDays?: number;
  onLog?: (entry: AuditLogEntry) => Promise<void> | void;
}

/** One receiver of `webhooks`. */
export interface WebhookConfig {
  url: string;
  /** Signs each delivery (Standard Webhooks headers); a `whsec_…` secret is used base64-decoded, any other as its UTF-8 bytes. */
  secret?: string;
  events: WebhookEvent[];
  /** Attempts per delivery, 1 to 10; default 3. */
  retryAttempts?: number;
  /** Milliseconds per attempt, 100 to 60000; default 5000. */
  timeout?: number;
}

/** `expirationNotificationOptions`. */
export interface ExpirationNotificationOptions {
  /** Start checking when the app starts; default false (call `startMonitoring()`). */
  enabled?: boolean;
  /** Milliseconds between checks; default 86400000 (a day), at least 1000. */
  checkIntervalMs?: number;
  /** Days before expiry at which `key.expiring` is sent, once each; default [30, 7, 1]. */
  warningThresholdsDays?: number[];
}

export interface ResolvedExpirationOptions {
  enabled: boolean;
  checkIntervalMs: number;
  warningThresholdsDays: number[];
}

type Check = (condition: boolean, option: string, message: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intIn = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

export function checkAuditLogOptions(value: unknown, check: Check): void {
  if (value === undefined) return;
  check(isObject(value), 'auditLogOptions', 'must be { logToConsole?, logToDatabase?, retentionDays?, onLog? }');
  const options = value as Record<string, unknown>;
  for (const key of Object.keys(options)) check(['logToConsole', 'logToDatabase', 'retentionDays', 'onLog'].includes(key), `auditLogOptions.${key}`, 'is not an option of auditLogOptions');
  for (const flag of ['logToConsole', 'logToDatabase']) check(options[flag] === undefined || typeof options[flag] === 'boolean', `auditLogOptions.${flag}`, 'must be true or false');
  check(options.retentionDays === undefined || intIn(options.retentionDays, 1, 36_500), 'auditLogOptions.retentionDays', 'must be a whole number of days, at least 1');
  check(options.onLog === undefined || typeof options.onLog === 'function', 'auditLogOptions.onLog', 'must be a function');
}

export function checkWebhooks(value: unknown, check: Check): void {
  if (value === undefined) return;
  check(Array.isArray(value), 'webhooks', 'must be an array of { url, secret?, events, retryAttempts?, timeout? }');
  (value as unknown[]).forEach((hook, i) => {
    const name = `webhooks[${i}]`;
    check(isObject(hook), name, 'must be { url, secret?, events, retryAttempts?, timeout? }');
    const h = hook as Record<string, unknown>;
    for (const key of Object.keys(h)) check(['url', 'secret', 'events', 'retryAttempts', 'timeout'].includes(key), `${name}.${key}`, 'is not an option of a webhook');
    const url = typeof h.url === 'string' && URL.canParse(h.url) ? new URL(h.url) : null;
    check(url !== null && (url.protocol === 'http:' || url.protocol === 'https:'), `${name}.url`, 'must be an http(s) URL');
    check(h.secret === undefined || (typeof h.secret === 'string' && h.secret !== ''), `${name}.secret`, 'must be a non-empty string');
    check(
      Array.isArray(h.events) && h.events.length > 0 && h.events.every((e) => WEBHOOK_EVENTS.includes(e as WebhookEvent)),
      `${name}.events`,
      `must be a non-empty array of ${WEBHOOK_EVENTS.map((e) => `'${e}'`).join(', ')}`,
    );
    check(h.retryAttempts === undefined || intIn(h.retryAttempts, 1, 10), `${name}.retryAttempts`, 'must be an integer from 1 to 10');
    check(h.timeout === undefined || intIn(h.timeout, 100, 60_000), `${name}.timeout`, 'must be an integer of milliseconds from 100 to 60000');
  });
}

export function resolveExpirationOptions(value: unknown, check: Check): ResolvedExpirationOptions {
  const resolved: ResolvedExpirationOptions = { enabled: false, checkIntervalMs: 86_400_000, warningThresholdsDays: [30, 7, 1] };
  if (value === undefined) return resolved;
  check(isObject(value), 'expirationNotificationOptions', 'must be { enabled?, checkIntervalMs?, warningThresholdsDays? }');
  const options = value as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    check(['enabled', 'checkIntervalMs', 'warningThresholdsDays'].includes(key), `expirationNotificationOptions.${key}`, 'is not an option of expirationNotificationOptions');
  }
  check(options.enabled === undefined || typeof options.enabled === 'boolean', 'expirationNotificationOptions.enabled', 'must be true or false');
  check(options.checkIntervalMs === undefined || intIn(options.checkIntervalMs, 1000, 2_147_483_647), 'expirationNotificationOptions.checkIntervalMs', 'must be an integer of milliseconds, at least 1000');
  const days = options.warningThresholdsDays;
  check(days === undefined || (Array.isArray(days) && days.every((d) => intIn(d, 1, 3650))), 'expirationNotificationOptions.warningThresholdsDays', 'must be an array of whole numbers of days, at least 1');
  return {
    enabled: (options.enabled as boolean | undefined) ?? false,
    checkIntervalMs: (options.checkIntervalMs as number | undefined) ?? resolved.checkIntervalMs,
    warningThresholdsDays: [...new Set((days as number[] | undefined) ?? resolved.warningThresholdsDays)].sort((a, b) => b - a),
  };
}
