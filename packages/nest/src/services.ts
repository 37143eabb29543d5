import type { Provider } from '@nestjs/common';
import { AnalyticsService } from './analytics.service.js';
import { AuditLogService } from './audit-log.service.js';
import { BulkOperationsService } from './bulk-operations.service.js';
import { ExpirationNotificationService } from './expiration-notification.service.js';
import { IpRulesService } from './ip-rules.service.js';
import { KeyEvents } from './key-events.js';
import { KeyRestoreService } from './key-restore.service.js';
import { KeyTemplateService } from './key-template.service.js';
import { QuotaService } from './quota.service.js';
import { RateLimitService } from './rate-limit.service.js';
import {
  ANALYTICS_SERVICE_TOKEN,
  API_KEY_EVENTS,
  AUDIT_LOG_SERVICE_TOKEN,
  QUOTA_SERVICE_TOKEN,
  RATE_LIMIT_SERVICE_TOKEN,
  WEBHOOK_SERVICE_TOKEN,
} from './tokens.js';
import { WebhookService } from './webhook.service.js';

/** The seed's services beyond ApiKeyService, suspension, approval and endpoint limits: injectable by class. */
export const SERVICES = [
  QuotaService,
  RateLimitService,
  AuditLogService,
  AnalyticsService,
  WebhookService,
  BulkOperationsService,
  ExpirationNotificationService,
  KeyTemplateService,
  IpRulesService,
  KeyRestoreService,
];

/** nest-api-key-auth's tokens (`@Inject(QUOTA_SERVICE_TOKEN)`), each the same instance as its class. */
const ALIASES: Provider[] = [
  { provide: QUOTA_SERVICE_TOKEN, useExisting: QuotaService },
  { provide: RATE_LIMIT_SERVICE_TOKEN, useExisting: RateLimitService },
  { provide: AUDIT_LOG_SERVICE_TOKEN, useExisting: AuditLogService },
  { provide: ANALYTICS_SERVICE_TOKEN, useExisting: AnalyticsService },
  { provide: WEBHOOK_SERVICE_TOKEN, useExisting: WebhookService },
];

export const SERVICE_TOKENS = [QUOTA_SERVICE_TOKEN, RATE_LIMIT_SERVICE_TOKEN, AUDIT_LOG_SERVICE_TOKEN, ANALYTICS_SERVICE_TOKEN, WEBHOOK_SERVICE_TOKEN];

/** The module's key events, one per module instance, and the token aliases. */
export const SERVICE_PROVIDERS: Provider[] = [{ provide: API_KEY_EVENTS, useFactory: () => new KeyEvents() }, ...ALIASES];
