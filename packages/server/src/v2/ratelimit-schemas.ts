import { Type } from 'typebox';

/** The request bodies of `ratelimit.*`, after Unkey's OpenAPI document. */
const Namespace = Type.String({ minLength: 1, maxLength: 255, description: 'The namespace name or id' });
const Identifier = Type.String({ minLength: 1, maxLength: 255 });
// Unkey's bounds: a window of 1 s up to 24 h.
const Duration = Type.Integer({ minimum: 1000, maximum: 86_400_000 });
const Limit = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

export const LimitBody = Type.Object({
  namespace: Namespace,
  identifier: Identifier,
  limit: Limit,
  duration: Duration,
  cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  async: Type.Optional(Type.Boolean({ description: 'Accepted; every check is exact across instances' })),
});
export const MultiLimitBody = Type.Array(LimitBody, { minItems: 1, maxItems: 100 });
export const SetOverrideBody = Type.Object({ namespace: Namespace, identifier: Identifier, limit: Limit, duration: Duration });
export const OverrideRefBody = Type.Object({ namespace: Namespace, identifier: Identifier });
export const ListOverridesBody = Type.Object({ namespace: Namespace, cursor: Type.Optional(Type.String({ maxLength: 1024 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });
