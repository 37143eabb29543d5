import { Type } from 'typebox';

/**
 * Every answer a verification can give. `valid` is 200; the rest map to the statuses below.
 * The order of checks, and so which one is reported when several apply, is fixed by `decide`.
 */
export const VERIFY_STATUS = {
  valid: 200,
  invalid_key: 401,
  key_revoked: 403,
  service_revoked: 403,
  key_expired: 403,
  key_disabled: 403,
  ip_not_allowed: 403,
  insufficient_scope: 403,
  rate_limit_exceeded: 429,
  quota_exceeded: 429,
} as const;

export type VerifyOutcome = keyof typeof VERIFY_STATUS;

/** The body of POST /v1/verify and /v1/verify/service (all optional; a blank body is `{}`). */
export const VerifyBody = Type.Object(
  {
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
    resource: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const VerifyFailure = Type.Object(
  {
    valid: Type.Literal(false),
    error: Type.String({
      description:
        '401 invalid_key (missing, malformed, unknown, other kind, deleted project); 403 key_revoked, service_revoked, key_expired, key_disabled, ip_not_allowed, insufficient_scope; 429 rate_limit_exceeded, quota_exceeded; 400 validation_error',
    }),
    retryAfter: Type.Optional(Type.Integer()),
    missingScopes: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);

/** 200 from POST /v1/verify. */
export const VerifySuccessKey = Type.Object({
  valid: Type.Literal(true),
  projectId: Type.String(),
  rateLimitRemaining: Type.Union([Type.Integer(), Type.Null()]),
  keyId: Type.String(),
  environment: Type.String(),
  scopes: Type.Array(Type.String()),
  metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  quotaRemaining: Type.Optional(Type.Integer()),
  creditsRemaining: Type.Optional(Type.Integer()),
});

export const VerifySuccessService = Type.Object({
  ...VerifySuccessKey.properties,
  service: Type.Object({ id: Type.String(), name: Type.String() }),
});
