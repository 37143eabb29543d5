/**
 * @elyzor/nest: nest-api-key-auth's API on Elyzor's engine. Local mode keeps keys in the app's
 * database through `@elyzor/keys`; remote mode (`adapter: 'elyzor'`) verifies them with an Elyzor
 * service through `@elyzor/sdk`.
 */
export { ApiKeyModule, type ApiKeyModuleAsyncOptions } from './api-key.module.js';
export { ApiKeyService } from './api-key.service.js';
export { KeySuspensionService } from './key-suspension.service.js';
export { KeyApprovalService } from './key-approval.service.js';
export { ApiKeyGuard } from './guards/api-key.guard.js';
export { ScopesGuard } from './guards/scopes.guard.js';
export { GraphQLApiKeyGuard } from './guards/graphql-api-key.guard.js';
export { EndpointRateLimitGuard } from './guards/endpoint-rate-limit.guard.js';
export { EndpointRateLimitService, type EndpointLimit } from './endpoint-rate-limit.service.js';
export { ApiKeyAuth, Scopes, CurrentApiKey, EndpointRateLimit } from './decorators.js';
export { createApiKeyMiddleware, type ApiKeyMiddleware, type ApiKeyMiddlewareOptions } from './express-middleware.js';
export { ApiKeyNotFoundException, ApiKeyAlreadyRevokedException } from './exceptions.js';
export { ApiKeyModuleOptionsError, type ApiKeyModuleOptions, type AdapterName } from './options.js';
export type { IApiKeyAdapter } from './adapter.js';
export type { ApiKey, ApiKeyState, CreateApiKeyDto, CreateApiKeyResponse, KeyEnvironment, QuotaPeriod, RevokeOptions, RotateOptions } from './api-key.js';
export type { RefusalCode } from './backend.js';
export {
  API_KEY_ADAPTER,
  API_KEY_MODULE_OPTIONS,
  QUOTA_SERVICE_TOKEN,
  RATE_LIMIT_SERVICE_TOKEN,
  AUDIT_LOG_SERVICE_TOKEN,
  ANALYTICS_SERVICE_TOKEN,
  WEBHOOK_SERVICE_TOKEN,
} from './tokens.js';
export * from './services-index.js';
