import { Type } from 'typebox';

/**
 * Request and response schemas. The same objects validate requests (ajv) and produce the
 * OpenAPI document (@fastify/swagger), so the docs cannot drift from what is enforced.
 */
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

export const Id = Type.String({ description: 'UUID' });

export const User = Type.Object({ id: Id, email: Type.String(), createdAt: Type.String({ format: 'date-time' }) });

export const Credentials = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 255 }),
    password: Type.String({ minLength: 8, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const AuthResult = Type.Object({ user: User, accessToken: Type.String() });

export const Project = Type.Object({ id: Id, name: Type.String(), createdAt: Type.String({ format: 'date-time' }) });

export const ProjectParams = Type.Object({ projectId: Type.String() });
export const ProjectIdParams = Type.Object({ id: Type.String() });
export const KeyParams = Type.Object({ projectId: Type.String(), keyId: Type.String() });
export const ServiceParams = Type.Object({ projectId: Type.String(), serviceId: Type.String() });

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Page size (1–100)' })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'From the `Link: <…>; rel="next"` header of the previous page' })),
  },
  { additionalProperties: false },
);

const timestamps = {
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revoked: Type.Boolean(),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};

export const Key = Type.Object({
  id: Id,
  label: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.String({ description: 'Type, environment and public id: safe to display, not a credential' }),
  environment: Type.String(),
  ...timestamps,
});

export const IssuedKey = Type.Object({
  ...Key.properties,
  key: Type.String({ description: 'The plaintext key. Shown only in this response.' }),
  previousKeyExpiresAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const Service = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String(),
  environment: Type.String(),
  ...timestamps,
});

export const IssuedService = Type.Object({
  ...Service.properties,
  key: Type.String({ description: 'The plaintext service credential. Shown only in this response.' }),
  previousKeyExpiresAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const CreateKeyBody = Type.Object({ label: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false });

export const CreateServiceBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9-]+$' }) },
  { additionalProperties: false },
);

export const RotateBody = Type.Object(
  {
    gracePeriodSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'Overlap during which the old credential still works; 0 revokes it at once' }),
    ),
  },
  { additionalProperties: false },
);

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
    error: Type.String(),
    retryAfter: Type.Optional(Type.Integer()),
    missingScopes: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);

export const StatsQuery = Type.Object({ range: Type.Optional(Type.String({ description: '1d, 7d (default) or 30d; anything else reads as 7d' })) });

export const Stats = Type.Object({
  totalRequests: Type.Integer(),
  successRate: Type.Number(),
  topKeys: Type.Array(Type.Object({ keyId: Id, requests: Type.Integer() })),
  requestsByDay: Type.Array(Type.Object({ date: Type.String(), count: Type.Integer(), errors: Type.Integer() })),
  rateLimitHits: Type.Integer(),
  avgLatencyMs: Type.Number(),
});

export const Health = Type.Object({
  status: Type.String({ description: '`ok` or `degraded`' }),
  database: Type.String({ description: '`ok` or `error`' }),
  redis: Type.String({ description: '`ok`, `error` or `disabled`' }),
});
