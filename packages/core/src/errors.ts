/**
 * The closed catalogue of error codes, with the HTTP status each one maps to. Domain code throws
 * `ElyzorError` with one of these codes; only the edge (the HTTP error handler) turns it into a
 * response, and it uses this table and nothing else.
 */
export const ERROR_STATUS = {
  validation_error: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_token: 401,
  forbidden: 403,
  already_revoked: 403,
  not_found: 404,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  header_too_large: 431,
  too_many_requests: 429,
  rate_limit_exceeded: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ElyzorError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields that are safe to show to the caller (never secrets). */
  readonly details: Record<string, unknown> | undefined;
  /** Seconds until a retry can succeed, for 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; retryAfter?: number } = {}) {
    super(message);
    this.name = 'ElyzorError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }
}

export const notFound = (what = 'Resource'): ElyzorError => new ElyzorError('not_found', `${what} not found`);
export const validationError = (message: string, details?: Record<string, unknown>): ElyzorError =>
  new ElyzorError('validation_error', message, details === undefined ? {} : { details });
