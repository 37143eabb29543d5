import { Type } from 'typebox';
import { Meta, RatelimitRequest } from './schemas.js';

/** The request bodies of `identities.*`, after Unkey's OpenAPI document. */
const ExternalId = Type.String({ minLength: 3, maxLength: 255 });
const IdentityRef = Type.String({ minLength: 1, maxLength: 255, description: 'The identity id or its externalId' });
const Ratelimits = Type.Array(RatelimitRequest, { maxItems: 50 });

export const CreateIdentityBody = Type.Object({ externalId: ExternalId, meta: Type.Optional(Meta), ratelimits: Type.Optional(Ratelimits) });
export const IdentityRefBody = Type.Object({ identity: IdentityRef });
export const ListIdentitiesBody = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});
export const UpdateIdentityBody = Type.Object({ identity: IdentityRef, meta: Type.Optional(Type.Union([Meta, Type.Null()])), ratelimits: Type.Optional(Ratelimits) });
