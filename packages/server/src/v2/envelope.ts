import type { FastifyRequest } from 'fastify';

/** Every `/v2` answer starts with it: the request's id (the `X-Request-Id` of the response). */
export const meta = (request: FastifyRequest): { requestId: string } => ({ requestId: String(request.id) });

/** Unkey's success envelope: `{meta, data, pagination?}`. */
export function envelope<T>(request: FastifyRequest, data: T, pagination?: { cursor?: string; hasMore: boolean }): { meta: { requestId: string }; data: T; pagination?: { cursor?: string; hasMore: boolean } } {
  return pagination === undefined ? { meta: meta(request), data } : { meta: meta(request), data, pagination };
}

/** `value` without its `undefined` and `null` fields: Unkey omits optional fields, never sends null. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
