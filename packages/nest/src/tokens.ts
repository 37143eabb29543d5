/** Injection tokens of the module; strings, so that two copies of the package agree on them. */

/** The validated `ApiKeyModuleOptions`. */
export const API_KEY_MODULE_OPTIONS = 'ELYZOR_NEST_API_KEY_MODULE_OPTIONS';
/** Where keys live and are verified: local (an adapter) or remote (an Elyzor service). */
export const API_KEY_BACKEND = 'ELYZOR_NEST_API_KEY_BACKEND';
/** The storage of local mode (keypal's `Storage`, which `IApiKeyAdapter` is). */
export const API_KEY_ADAPTER = 'ELYZOR_NEST_API_KEY_ADAPTER';

/** Metadata keys of the decorators. */
export const API_KEY_AUTH_METADATA = 'elyzor:nest:api-key-auth';
export const SCOPES_METADATA = 'elyzor:nest:scopes';
export const ENDPOINT_RATE_LIMIT_METADATA = 'elyzor:nest:endpoint-rate-limit';

/** The limiter of endpoint limits. */
export const API_KEY_LIMITER = 'ELYZOR_NEST_API_KEY_LIMITER';

/** The module's key events (`KeyEvents`), which the webhook service delivers. */
export const API_KEY_EVENTS = 'ELYZOR_NEST_API_KEY_EVENTS';
/** nest-api-key-auth's tokens of its services, for `@Inject(QUOTA_SERVICE_TOKEN)` and the like. */
export const QUOTA_SERVICE_TOKEN = 'QUOTA_SERVICE';
export const AUDIT_LOG_SERVICE_TOKEN = 'AUDIT_LOG_SERVICE';
export const ANALYTICS_SERVICE_TOKEN = 'ANALYTICS_SERVICE';
export const WEBHOOK_SERVICE_TOKEN = 'WEBHOOK_SERVICE';
export const RATE_LIMIT_SERVICE_TOKEN = 'RATE_LIMIT_SERVICE';
