/** The exports of the seed's services (quota, rate limit, audit log, analytics, webhooks, bulk, expiry, templates, IP rules, restore). */
export { QuotaService, type QuotaStatus } from './quota.service.js';
export { RateLimitService, type RateLimitConfig, type RateLimitStatus } from './rate-limit.service.js';
export { AuditLogService, type AuditLogQuery, type AuditLogStats } from './audit-log.service.js';
export { AnalyticsService, type KeyUsageMetrics, type UsageAnalytics } from './analytics.service.js';
export { WebhookService, type WebhookPayload, type WebhookDelivery } from './webhook.service.js';
export { BulkOperationsService, type BulkCreateResult, type BulkRevokeResult } from './bulk-operations.service.js';
export { ExpirationNotificationService, type ExpirationNotice } from './expiration-notification.service.js';
export { KeyTemplateService, type KeyTemplate } from './key-template.service.js';
export { IpRulesService } from './ip-rules.service.js';
export { KeyRestoreService } from './key-restore.service.js';
export { signWebhook } from './webhook-signature.js';
export type { WebhookEvent, KeyEventData } from './key-events.js';
export type { IpRules } from './backend.js';
export type { AuditLogEntry, AuditLogOptions, WebhookConfig, ExpirationNotificationOptions } from './service-options.js';
