/**
 * keypal's error codes, every one, with the same strings and messages, and the few that Elyzor's
 * extras add. Management methods throw `{ code, message }` objects (not Error instances), as
 * keypal does; `verify` never throws and reports the code in its result.
 */
export const ApiKeyErrorCode = {
  MISSING_KEY: 'MISSING_KEY',
  INVALID_FORMAT: 'INVALID_FORMAT',
  INVALID_KEY: 'INVALID_KEY',
  EXPIRED: 'EXPIRED',
  REVOKED: 'REVOKED',
  DISABLED: 'DISABLED',
  STORAGE_ERROR: 'STORAGE_ERROR',
  CACHE_ERROR: 'CACHE_ERROR',
  ALREADY_REVOKED: 'ALREADY_REVOKED',
  ALREADY_ENABLED: 'ALREADY_ENABLED',
  ALREADY_DISABLED: 'ALREADY_DISABLED',
  CANNOT_MODIFY_REVOKED: 'CANNOT_MODIFY_REVOKED',
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  AUDIT_LOGGING_DISABLED: 'AUDIT_LOGGING_DISABLED',
  STORAGE_NOT_SUPPORTED: 'STORAGE_NOT_SUPPORTED',
  RATE_LIMIT_EXCEEDED: 'RATE_LIMIT_EXCEEDED',
  // Elyzor's extras.
  IP_NOT_ALLOWED: 'IP_NOT_ALLOWED',
  /** The name this library first used for keypal's `RATE_LIMIT_EXCEEDED`: the same code. */
  RATE_LIMITED: 'RATE_LIMIT_EXCEEDED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  CREDITS_EXHAUSTED: 'CREDITS_EXHAUSTED',
  NOT_REVOKED: 'NOT_REVOKED',
} as const;

export type ApiKeyErrorCodeValue = (typeof ApiKeyErrorCode)[keyof typeof ApiKeyErrorCode];
// keypal exports the type under the object's name; so does this library.
export type ApiKeyErrorCode = ApiKeyErrorCodeValue;

export const ApiKeyErrorMessages: Readonly<Record<ApiKeyErrorCodeValue, string>> = {
  MISSING_KEY: 'Missing API key',
  INVALID_FORMAT: 'Invalid API key format',
  INVALID_KEY: 'Invalid API key',
  EXPIRED: 'API key has expired',
  REVOKED: 'API key has been revoked',
  DISABLED: 'API key is disabled',
  STORAGE_ERROR: 'Storage error occurred',
  CACHE_ERROR: 'Cache error occurred',
  ALREADY_REVOKED: 'API key is already revoked',
  ALREADY_ENABLED: 'API key is already enabled',
  ALREADY_DISABLED: 'API key is already disabled',
  CANNOT_MODIFY_REVOKED: 'Cannot modify a revoked key',
  KEY_NOT_FOUND: 'API key not found',
  AUDIT_LOGGING_DISABLED: 'Audit logging is not enabled',
  STORAGE_NOT_SUPPORTED: 'Storage does not support this operation',
  RATE_LIMIT_EXCEEDED: 'Rate limit exceeded',
  IP_NOT_ALLOWED: 'API key is not allowed from this address',
  QUOTA_EXCEEDED: 'Quota exceeded',
  CREDITS_EXHAUSTED: 'No credits left',
  NOT_REVOKED: 'API key is not revoked',
};

export interface ApiKeyError {
  code: ApiKeyErrorCodeValue;
  message: string;
  details?: unknown;
}

export function createApiKeyError(code: ApiKeyErrorCodeValue, details?: unknown): ApiKeyError {
  return { code, message: ApiKeyErrorMessages[code], details };
}

/** The `verify` answer for a refusal. */
export function errorResult(code: ApiKeyErrorCodeValue): { valid: false; error: string; errorCode: ApiKeyErrorCodeValue } {
  return { valid: false, error: ApiKeyErrorMessages[code], errorCode: code };
}

export function isApiKeyError(value: unknown): value is ApiKeyError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    Object.hasOwn(ApiKeyErrorMessages, (value as { code: string }).code)
  );
}

/**
 * Runs a storage call; a failure surfaces as STORAGE_ERROR with the driver's error as `details`
 * (its `code`, e.g. PostgreSQL's 23505, kept at the top level so callers can still test it).
 * An error that is already one of ours passes through.
 */
export async function storageCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isApiKeyError(error)) throw error;
    throw storageError(error);
  }
}

export function storageError(cause: unknown): ApiKeyError & { cause: unknown } {
  return { ...createApiKeyError(ApiKeyErrorCode.STORAGE_ERROR, describe(cause)), cause };
}

/** The driver's message and code; ORMs (Drizzle) wrap the driver's error, whose code is in `cause`. */
function describe(cause: unknown): unknown {
  if (!(cause instanceof Error)) return cause;
  let code: unknown;
  for (let e: unknown = cause; e instanceof Error && code === undefined; e = e.cause) code = (e as { code?: unknown }).code;
  return code === undefined ? { message: cause.message } : { message: cause.message, code };
}
