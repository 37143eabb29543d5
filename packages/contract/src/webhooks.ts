import { Type, type TSchema } from 'typebox';

import { WEBHOOK_EVENT_TYPES } from './names.js';

export { WEBHOOK_EVENT_TYPES };

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by `POST …/webhooks/:webhookId/test`, to that one webhook. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// An enum (not a union of literals built by `map`, whose static type would be `never`): the
// OpenAPI document lists the events, and the SDK's bodies are typed by the catalogue.
const EventType = Type.Enum(WEBHOOK_EVENT_TYPES, { description: 'An event of the catalogue (see docs/api.md)' });
const Events = Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true });
const Url = Type.String({ format: 'uri', minLength: 1, maxLength: 2048, description: 'https only (unless WEBHOOK_ALLOW_PRIVATE=true); checked again at each delivery, after DNS' });
const Description = Type.String({ maxLength: 500 });

export const WebhookParams = Type.Object({ projectId: Type.String(), webhookId: Type.String() });
export const DeliveryParams = Type.Object({ projectId: Type.String(), webhookId: Type.String(), deliveryId: Type.String() });

export const CreateWebhookBody = Type.Object({ url: Url, events: Events, description: Type.Optional(Description) }, { additionalProperties: false });

export const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Nullable(Description)), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  description: Nullable(Type.String()),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const WebhookWithSecret = Type.Object({
  ...Webhook.properties,
  secret: Type.String({ description: '`whsec_<base64>`: shown once, here; sign-checking key of the Standard Webhooks specification' }),
});

export const WebhookAttempt = Type.Object({
  attemptedAt: DateTime,
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String({ description: 'timeout, refused (egress check), or a connection error' })),
  latencyMs: Type.Number(),
  responseSnippet: Nullable(Type.String({ description: 'The first 1 KB of the response body' })),
});

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  eventId: Type.String({ description: 'Also the `webhook-id` header: the same on every attempt, for receivers to deduplicate' }),
  type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(DateTime),
  createdAt: DateTime,
  attemptLog: Type.Array(WebhookAttempt),
});

/** The answer of `POST …/webhooks/:webhookId/test`: the queued event, whose delivery shows in …/deliveries. */
export const WebhookTestQueued = Type.Object({ eventId: Type.String({ description: 'Also the `webhook-id` header of its delivery' }) });

export const DeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
