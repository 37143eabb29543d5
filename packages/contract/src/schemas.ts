import { Type } from 'typebox';

/**
 * Request and response schemas. The same objects validate requests (ajv) and produce the
 * OpenAPI document (@fastify/swagger), so the docs cannot drift from what is enforced.
 */
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

/** Registration: credentials, and under `SIGNUP=invite` the token of a live invitation of this email. */
export const RegisterBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 255 }),
    password: Type.String({ minLength: 8, maxLength: 128 }),
    invitationToken: Type.Optional(Type.String({ maxLength: 100, description: 'An invitation token (`inv_…`) for this email; joins its workspace' })),
  },
  { additionalProperties: false },
);

export const Project = Type.Object({ id: Id, name: Type.String(), workspaceId: Id, createdAt: Type.String({ format: 'date-time' }) });

/** Creating a project names it (and may name its workspace); renaming it names it alone. */
export const ProjectBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

export const ProjectParams = Type.Object({ projectId: Type.String() });
export const KeyParams = Type.Object({ projectId: Type.String(), keyId: Type.String() });
export const ServiceParams = Type.Object({ projectId: Type.String(), serviceId: Type.String() });

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Page size (1–100)' })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'From the `Link: <…>; rel="next"` header of the previous page' })),
  },
  { additionalProperties: false },
);

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const Scope = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:*/-]+$' });
const ResourceName = Type.String({ minLength: 1, maxLength: 128 });

const RateLimitInput = Type.Object(
  {
    algorithm: Type.Optional(Type.Union([Type.Literal('sliding_window'), Type.Literal('token_bucket'), Type.Literal('none')], { default: undefined })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
    windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 * 86_400 })),
    burst: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'token_bucket only: bucket size (default: limit)' })),
  },
  { additionalProperties: false, description: 'Per-credential limit; null means the server default; algorithm "none" means unlimited' },
);

const Quota = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }),
    period: Type.Union([Type.Literal('day'), Type.Literal('month')]),
  },
  { additionalProperties: false, description: 'Uses per UTC day or month; resets at the start of the next one' },
);

const Refill = Type.Object(
  { amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }), interval: Type.Union([Type.Literal('day'), Type.Literal('month')]) },
  { additionalProperties: false },
);

const Credits = Type.Object(
  {
    remaining: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 }),
    refill: Type.Optional(Nullable(Refill)),
  },
  { additionalProperties: false, description: 'A balance each verification spends (its cost); refilled to amount every interval' },
);

const IpList = Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 100, description: 'IPv4/IPv6 addresses and CIDR ranges' });

/** Policy fields, settable at creation and with PATCH. */
export const policyFields = {
  scopes: Type.Optional(Type.Array(Scope, { maxItems: 100, description: 'Global scopes: `read:invoices`, `admin:*`, `*`' })),
  resources: Type.Optional(
    Type.Record(ResourceName, Type.Array(Scope, { maxItems: 100 }), {
      description: 'Scopes on one resource: `{"project:123": ["read", "write"]}`; resource names are 1–128 characters',
      maxProperties: 100,
      // A record's key schema becomes a catch-all pattern, its length limits lost: the names are
      // held to them here.
      propertyNames: ResourceName,
    }),
  ),
  expiresAt: Type.Optional(Nullable(DateTime)),
  enabled: Type.Optional(Type.Boolean()),
  metadata: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true, description: 'Any JSON object up to 4 KB' }))),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
  ownerId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255, description: 'The customer this credential belongs to' }))),
  ipAllowlist: Type.Optional(IpList),
  ipDenylist: Type.Optional(IpList),
  rateLimit: Type.Optional(Nullable(RateLimitInput)),
  quota: Type.Optional(Nullable(Quota)),
  credits: Type.Optional(Nullable(Credits)),
};

const policyView = {
  scopes: Type.Array(Type.String()),
  resources: Type.Record(Type.String(), Type.Array(Type.String())),
  expiresAt: Nullable(DateTime),
  enabled: Type.Boolean(),
  metadata: Nullable(Type.Object({}, { additionalProperties: true })),
  tags: Type.Array(Type.String()),
  ownerId: Nullable(Type.String()),
  ipAllowlist: Type.Array(Type.String()),
  ipDenylist: Type.Array(Type.String()),
  rateLimit: Nullable(Type.Object({}, { additionalProperties: true })),
  quota: Nullable(Type.Object({}, { additionalProperties: true })),
  credits: Nullable(Type.Object({}, { additionalProperties: true })),
};

const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('expired'), Type.Literal('revoked')]);

const common = {
  prefix: Type.String({ description: 'Type, environment and public id: safe to display, not a credential' }),
  environment: Type.Union([Type.Literal('live'), Type.Literal('test')]),
  status: Status,
  revoked: Type.Boolean(),
  revokedAt: Nullable(DateTime),
  revokeReason: Nullable(Type.String()),
  replacedBy: Nullable(Id),
  createdAt: DateTime,
  updatedAt: DateTime,
  lastUsedAt: Nullable(DateTime),
  ...policyView,
};

export const Key = Type.Object({ id: Id, label: Nullable(Type.String()), ...common });

const issuedFields = {
  key: Type.String({ description: 'The plaintext credential. Shown only in this response.' }),
  previousKeyExpiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Rotation with overlap: when the old credential stops working' })),
};

export const IssuedKey = Type.Object({ ...Key.properties, ...issuedFields });

export const Service = Type.Object({ id: Id, name: Type.String(), ...common });

export const IssuedService = Type.Object({ ...Service.properties, ...issuedFields });

export const Usage = Type.Object({
  totalVerifications: Type.Integer(),
  last24h: Type.Integer(),
  errorRate: Type.Number({ description: 'Share of verifications that failed, 0–1' }),
});

export const KeyWithUsage = Type.Object({ ...Key.properties, usage: Usage });
export const ServiceWithUsage = Type.Object({ ...Service.properties, usage: Usage });

export const UsageSeries = Type.Object({
  id: Id,
  range: Type.String(),
  days: Type.Array(Type.Object({ date: Type.String(), count: Type.Integer(), errors: Type.Integer() })),
});

const environmentField = Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('test')], { description: 'test credentials are sk_test_… / svc_test_…' }));
const ServiceName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9-]+$' });

export const CreateKeyBody = Type.Object(
  { label: Type.Optional(Type.String({ maxLength: 100 })), environment: environmentField, ...policyFields },
  { additionalProperties: false },
);

export const CreateServiceBody = Type.Object({ name: ServiceName, environment: environmentField, ...policyFields }, { additionalProperties: false });

export const UpdateKeyBody = Type.Object({ label: Type.Optional(Nullable(Type.String({ maxLength: 100 }))), ...policyFields }, { additionalProperties: false });

export const UpdateServiceBody = Type.Object({ name: Type.Optional(ServiceName), ...policyFields }, { additionalProperties: false });

export const RevokeBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500, description: 'Kept with the record' })) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Page size (1–100)' })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    tag: Type.Optional(Type.String({ maxLength: 64 })),
    ownerId: Type.Optional(Type.String({ maxLength: 255 })),
    environment: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('test')])),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const UsageQuery = Type.Object({ range: Type.Optional(Type.String({ description: '1d, 7d (default), 30d or 90d' })) });

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 64, description: 'e.g. key.created, key.revoked, verification.failed' })),
    keyId: Type.Optional(Type.String({ maxLength: 64 })),
    serviceId: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);

export const AuditEvent = Type.Object({
  id: Type.String(),
  action: Type.String(),
  actorId: Nullable(Id),
  /** `user` or `root_key` (null for Elyzor's own entries, e.g. verification failures). */
  actorType: Nullable(Type.String()),
  targetType: Type.String(),
  targetId: Nullable(Id),
  requestId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  changes: Nullable(Type.Record(Type.String(), Type.Object({ before: Type.Unknown(), after: Type.Unknown() }))),
  outcome: Nullable(Type.String()),
  count: Type.Integer(),
  createdAt: DateTime,
});

export const RotateBody = Type.Object(
  {
    gracePeriodSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'Overlap during which the old credential still works; 0 revokes it at once' }),
    ),
  },
  { additionalProperties: false },
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
