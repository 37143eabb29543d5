import { ElyzorError, ERROR_STATUS, type ErrorCode } from '@elyzor/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './types.js';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  requestId: string;
  [extra: string]: unknown;
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  const body: ErrorBody = { error: code, message, requestId: String(reply.request.id), ...extra };
  return reply.code(ERROR_STATUS[code]).send(body);
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|PGlite is closed|Client has encountered a connection error|Redis did not answer|Command timed out/i;

/** A backend (PostgreSQL, Redis) that cannot be reached: the caller should retry, not see a 500. */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

/** Fastify's own errors, by code, mapped onto our catalogue. */
const FASTIFY_ERRORS: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload_too_large', 'Request body is larger than 16 KB'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported_media_type', 'Content-Type must be application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['validation_error', 'Content-Length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['validation_error', 'Request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['validation_error', 'Request body is not valid JSON'],
};

function verifyShaped(request: FastifyRequest): boolean {
  return request.routeOptions.config?.verifyShape === true;
}

/**
 * The edge: typed domain errors become their catalogue status and code; validation and
 * transport errors become 4xx; anything else is a 500 with a generic message and is logged.
 */
export function registerErrorHandling(app: App): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ElyzorError) {
      if (error.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfter))));
      const extra: Record<string, unknown> = { ...(error.details ?? {}) };
      if (error.retryAfter !== undefined) extra.retryAfter = Math.max(1, Math.ceil(error.retryAfter));
      return sendError(reply, error.code, error.message, extra);
    }
    if (error.validation !== undefined) {
      const details = error.validation.map((v) => ({ path: v.instancePath || (v.params as { missingProperty?: string }).missingProperty || '', message: v.message ?? 'invalid' }));
      const first = details[0];
      const where = error.validationContext ?? 'request';
      const message = first === undefined ? `Invalid ${where}` : `Invalid ${where}: ${first.path || where} ${first.message}`.trim();
      return sendError(reply, 'validation_error', message, verifyShaped(request) ? { valid: false, details } : { details });
    }
    const mapped = error.code !== undefined ? FASTIFY_ERRORS[error.code] : undefined;
    if (mapped !== undefined) {
      if (verifyShaped(request) && mapped[0] !== 'payload_too_large') {
        return sendError(reply, 'validation_error', mapped[1], { valid: false });
      }
      return sendError(reply, mapped[0], mapped[1]);
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode === 413 ? 'payload_too_large' : 'validation_error', 'Bad request');
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: error, requestId: request.id }, 'backend unavailable');
      reply.header('retry-after', '5');
      return sendError(reply, 'service_unavailable', 'A backend is unavailable; try again shortly', verifyShaped(request) ? { valid: false } : {});
    }
    request.log.error({ err: error, requestId: request.id, method: request.method, url: request.url.split('?')[0] }, 'unhandled error');
    return sendError(reply, 'internal_error', 'Internal server error');
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, 'not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`));
}
