import { ElyzorError, ERROR_STATUS } from '@elyzor/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorAnswer } from '../http/errors.js';
import { meta } from './envelope.js';

/** One entry of a 400's `errors`: where the input is wrong, and why. */
export interface V2FieldError {
  location: string;
  message: string;
  fix?: string;
}

/** Unkey's error types are URLs of its documentation, by category and code. */
const TYPE_BASE = 'https://unkey.com/docs/errors/unkey';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * An error of the `/v2` face, in Unkey's shape: `{meta, error: {title, detail, status, type, errors?}}`.
 * `type` is `<category>/<code>` of Unkey's catalogue (`authentication/missing`, `data/key_not_found`).
 */
export class V2Error extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    detail: string,
    readonly errors?: V2FieldError[],
  ) {
    super(detail);
    this.name = 'V2Error';
  }
}

export const badRequest = (detail: string, location = 'body', fix?: string): V2Error =>
  new V2Error(400, 'application/invalid_input', detail, [{ location, message: detail, ...(fix !== undefined ? { fix } : {}) }]);
export const notFoundV2 = (what: 'key' | 'api' | 'identity' | 'permission' | 'role' | 'route', detail: string): V2Error => new V2Error(404, `data/${what}_not_found`, detail);

/** Fastify's validation errors as Unkey's `errors[]`: a JSON pointer into the body, and the reason. */
function fieldErrors(error: FastifyError): V2FieldError[] {
  return (error.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const path = v.instancePath + (missing !== undefined ? `/${missing}` : '');
    return { location: `body${path.replaceAll('/', '.')}`, message: v.message ?? 'is invalid' };
  });
}

/** Any error thrown below a `/v2` route, as Unkey's error body and status. */
export function toV2Error(error: unknown): V2Error {
  if (error instanceof V2Error) return error;
  const thrown = error as FastifyError;
  if (typeof thrown === 'object' && thrown !== null && thrown.validation !== undefined) {
    const errors = fieldErrors(thrown);
    return new V2Error(400, 'application/invalid_input', `Invalid request body: ${errors[0]?.location ?? 'body'} ${errors[0]?.message ?? ''}`.trim(), errors);
  }
  // A revoked key is a deleted one to Unkey's callers: it does not exist.
  if (error instanceof ElyzorError && error.code === 'already_revoked') return notFoundV2('key', 'The key does not exist');
  const answer = errorAnswer(error, false);
  const status = ERROR_STATUS[answer.code];
  if (status === 400) return badRequest(answer.message);
  if (status === 401) return new V2Error(401, 'authentication/key_not_found', 'The root key is unknown, revoked or expired');
  if (status === 403) {
    const missing = error instanceof ElyzorError ? error.details?.action : undefined;
    return new V2Error(403, 'authorization/insufficient_permissions', typeof missing === 'string' ? `The root key lacks the permission for ${missing}` : answer.message);
  }
  if (status === 404) {
    const resource = error instanceof ElyzorError ? error.details?.resource : undefined;
    return resource === 'permission' || resource === 'role' || resource === 'key' ? notFoundV2(resource, answer.message) : new V2Error(404, 'data/not_found', answer.message);
  }
  if (status === 409) return new V2Error(409, 'data/conflict', answer.message);
  if (status === 429) return new V2Error(429, 'application/rate_limited', answer.message);
  if (status === 503) return new V2Error(503, 'application/service_unavailable', answer.message);
  if (status < 500) return new V2Error(status, 'application/invalid_input', answer.message);
  return new V2Error(500, 'application/unexpected_error', 'Internal server error');
}

/** Sends `error` in Unkey's shape: `application/problem+json` for 429 (as Unkey's SDK expects), else JSON. */
export function sendV2Error(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const v2 = toV2Error(error);
  if (v2.status >= 500 && !(error instanceof V2Error)) {
    request.log[v2.status === 503 ? 'warn' : 'error']({ err: error, requestId: request.id, url: request.url.split('?')[0] }, 'unhandled error');
  }
  const body = {
    meta: meta(request),
    error: {
      title: TITLES[v2.status] ?? 'Error',
      detail: v2.message,
      status: v2.status,
      type: `${TYPE_BASE}/${v2.type}`,
      // Unkey's 400s always carry the list.
      ...(v2.status === 400 ? { errors: v2.errors ?? [{ location: 'body', message: v2.message }] } : {}),
    },
  };
  reply.code(v2.status).header('content-type', v2.status === 429 ? 'application/problem+json' : 'application/json; charset=utf-8');
  return reply.send(JSON.stringify(body));
}
