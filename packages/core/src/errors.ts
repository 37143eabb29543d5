import { ERROR_STATUS, type ErrorCode } from '@elyzor/contract';

/** The catalogue lives in the wire contract (`@elyzor/contract`), where server and SDK read it. */
export { ERROR_STATUS, type ErrorCode };

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
