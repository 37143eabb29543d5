import { Type } from 'typebox';

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
  /** SIGNUP=invite: registration needs a live invitation (`invitationToken`). */
  signup_disabled: 403,
  not_found: 404,
  /** A workspace keeps an owner: the last one cannot leave or be demoted. */
  last_owner: 409,
  /** An object of this name exists already (an identity's external id, an Unkey permission's slug, a role's name). */
  already_exists: 409,
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

/** Every error outside the verify endpoints: `{"error": "<code>", "message": "…", "requestId": "…"}`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Stable snake_case error code' }),
    message: Type.String(),
    requestId: Type.String(),
  },
  { additionalProperties: true, $id: 'Error' },
);

export const errors = (...statuses: number[]): Record<number, typeof ErrorResponse> =>
  Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
