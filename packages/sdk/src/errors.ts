import type { ErrorCode } from '@elyzor/contract';

/**
 * The one error the SDK throws. `code` is the catalogue's (`ERROR_STATUS` in the contract), or
 * one of the SDK's own for failures that never reached an answer: `connection_error` (the
 * server could not be reached), `timeout` (no answer within `timeoutMs`), `invalid_response`
 * (an answer that is not Elyzor's JSON). A refused verification is not an error: `verify`
 * resolves it.
 */
export type ClientErrorCode = 'connection_error' | 'timeout' | 'invalid_response';

export class ElyzorError extends Error {
  override readonly name = 'ElyzorError';
  /** The HTTP status; 0 when there was no answer. */
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode | (string & {});
  /** The server's request id (`X-Request-Id`), for its logs; null when there was no answer. */
  readonly requestId: string | null;
  /** Seconds the server asked to wait (`Retry-After`), when it said so. */
  readonly retryAfter: number | undefined;
  /** The answer's body as parsed JSON (e.g. `details` of a validation error). */
  readonly body: unknown;

  constructor(init: { status: number; code: string; message: string; requestId?: string | null; retryAfter?: number; body?: unknown; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter;
    this.body = init.body;
  }
}
