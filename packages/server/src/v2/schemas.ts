import { Type } from 'typebox';

/**
 * The request bodies of the `/v2` face, after Unkey's OpenAPI document (field names, bounds).
 * Validation failures become Unkey's 400 with `errors[]` (see `errors.ts`).
 */
const Id = Type.String({ minLength: 1, maxLength: 255 });
export const Meta = Type.Record(Type.String(), Type.Unknown());
const Interval = Type.Union([Type.Literal('daily'), Type.Literal('monthly')]);

export const Refill = Type.Object({ interval: Interval, amount: Type.Integer({ minimum: 1 }), refillDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 })) });
export const Credits = Type.Object({ remaining: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]), refill: Type.Optional(Type.Union([Refill, Type.Null()])) });
export const RatelimitRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  limit: Type.Integer({ minimum: 1 }),
  duration: Type.Integer({ minimum: 1000 }),
  autoApply: Type.Optional(Type.Boolean()),
});
const Permissions = Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 1000 });

export const ApiIdBody = Type.Object({ apiId: Id });
export const CreateApiBody = Type.Object({ name: Type.String({ minLength: 3, maxLength: 255 }) });
export const ListKeysBody = Type.Object({
  apiId: Id,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  decrypt: Type.Optional(Type.Boolean()),
  revalidateKeysCache: Type.Optional(Type.Boolean()),
});

export const CreateKeyBody = Type.Object({
  apiId: Id,
  prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 16, pattern: '^[a-zA-Z0-9_]+$' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  byteLength: Type.Optional(Type.Integer({ minimum: 16, maximum: 255 })),
  externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  meta: Type.Optional(Meta),
  roles: Type.Optional(Permissions),
  permissions: Type.Optional(Permissions),
  expires: Type.Optional(Type.Integer({ minimum: 0 })),
  credits: Type.Optional(Credits),
  ratelimits: Type.Optional(Type.Array(RatelimitRequest, { maxItems: 50 })),
  enabled: Type.Optional(Type.Boolean()),
  recoverable: Type.Optional(Type.Boolean()),
});

export const KeyIdBody = Type.Object({ keyId: Id, decrypt: Type.Optional(Type.Boolean()) });
export const WhoamiBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: 512 }) });

export const UpdateKeyBody = Type.Object({
  keyId: Id,
  name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
  externalId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
  meta: Type.Optional(Type.Union([Meta, Type.Null()])),
  expires: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  credits: Type.Optional(Type.Union([Type.Object({ remaining: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])), refill: Type.Optional(Type.Union([Refill, Type.Null()])) }), Type.Null()])),
  ratelimits: Type.Optional(Type.Array(RatelimitRequest, { maxItems: 50 })),
  enabled: Type.Optional(Type.Boolean()),
  roles: Type.Optional(Permissions),
  permissions: Type.Optional(Permissions),
});

export const DeleteKeyBody = Type.Object({ keyId: Id, permanent: Type.Optional(Type.Boolean()) });
export const RerollKeyBody = Type.Object({ keyId: Id, expiration: Type.Integer({ minimum: 0, maximum: 4_294_967_296 }) });
export const UpdateCreditsBody = Type.Object({
  keyId: Id,
  value: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  operation: Type.Union([Type.Literal('set'), Type.Literal('increment'), Type.Literal('decrement')]),
});

export const VerifyKeyBody = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 512 }),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 10 })),
  permissions: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  credits: Type.Optional(Type.Object({ cost: Type.Integer({ minimum: 0 }) })),
  ratelimits: Type.Optional(
    Type.Array(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }), cost: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1 })), duration: Type.Optional(Type.Integer({ minimum: 1000 })) }),
      { maxItems: 20 },
    ),
  ),
  migrationId: Type.Optional(Type.String({ maxLength: 255 })),
});

export const MigrateKeysBody = Type.Object({
  migrationId: Type.String({ minLength: 1, maxLength: 255 }),
  apiId: Id,
  keys: Type.Array(
    Type.Object({
      hash: Type.String({ minLength: 1, maxLength: 128 }),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      meta: Type.Optional(Meta),
      roles: Type.Optional(Permissions),
      permissions: Type.Optional(Permissions),
      expires: Type.Optional(Type.Integer({ minimum: 0 })),
      enabled: Type.Optional(Type.Boolean()),
      credits: Type.Optional(Credits),
      ratelimits: Type.Optional(Type.Array(RatelimitRequest, { maxItems: 50 })),
    }),
    { minItems: 1, maxItems: 100 },
  ),
});

/** Unkey's permission slugs: a letter, then letters, digits, periods, underscores, hyphens. */
const Slug = Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-zA-Z][a-zA-Z0-9._-]*$' });
const Description = Type.String({ maxLength: 512 });
const Reference = Type.String({ minLength: 1, maxLength: 512 });
const ListPage = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  search: Type.Optional(Type.String({ maxLength: 255 })),
};

export const CreatePermissionBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 512 }), slug: Slug, description: Type.Optional(Description) });
export const PermissionRefBody = Type.Object({ permission: Reference });
export const ListRbacBody = Type.Object(ListPage);
export const CreateRoleBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 512 }), description: Type.Optional(Description), permissions: Type.Optional(Type.Array(Reference, { maxItems: 1000 })) });
export const RoleRefBody = Type.Object({ role: Reference });
export const SetRolePermissionsBody = Type.Object({ roleId: Reference, permissions: Type.Array(Reference, { maxItems: 1000 }) });
export const KeyPermissionsBody = Type.Object({ keyId: Id, permissions: Type.Array(Reference, { maxItems: 1000 }) });
export const KeyRolesBody = Type.Object({ keyId: Id, roles: Type.Array(Reference, { maxItems: 1000 }) });
export const AnalyticsQueryBody = Type.Object({ query: Type.String({ minLength: 1, maxLength: 10_000 }) });
