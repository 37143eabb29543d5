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

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57014', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|enableOfflineQueue|MaxRetriesPerRequest|PGlite is closed|Client has encountered a connection error|Redis did not answer|Command timed out/i;

/**
 * A backend (PostgreSQL, Redis) that cannot be reached, or a statement it cut short
 * (57014: statement_timeout of a heavy read): the caller should retry, not see a 500.
 */
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

/** What an error becomes on the wire, decided without a request or reply (both lanes use it). */
export interface ErrorAnswer {
  code: ErrorCode;
  message: string;
  extra: Record<string, unknown>;
  /** Seconds, for the Retry-After header. */
  retryAfter?: number;
  /** Logged by the caller with the request's id; unexpected errors are never shown to the client. */
  log?: { level: 'warn' | 'error'; message: string };
}

/** The fields of a thrown error this mapping reads (FastifyError has them all). */
export interface ThrownError {
  code?: string;
  statusCode?: number;
  validation?: FastifyError['validation'];
  validationContext?: FastifyError['validationContext'];
}

/**
 * The edge's one decision: typed domain errors become their catalogue status and code;
 * validation and transport errors become 4xx; a backend out of reach is 503; anything else is
 * a 500 with a generic message. `verifyShaped` adds `valid: false` for the verify endpoints.
 */
export function errorAnswer(error: unknown, verifyShaped: boolean): ErrorAnswer {
  if (error instanceof ElyzorError) {
    const extra: Record<string, unknown> = { ...(error.details ?? {}) };
    if (error.retryAfter === undefined) return { code: error.code, message: error.message, extra };
    const retryAfter = Math.max(1, Math.ceil(error.retryAfter));
    extra.retryAfter = retryAfter;
    return { code: error.code, message: error.message, extra, retryAfter };
  }
  const thrown = (typeof error === 'object' && error !== null ? error : {}) as ThrownError;
  if (thrown.validation !== undefined) {
    const details = thrown.validation.map((v) => ({ path: v.instancePath || (v.params as { missingProperty?: string }).missingProperty || '', message: v.message ?? 'invalid' }));
    const first = details[0];
    const where = thrown.validationContext ?? 'request';
    const message = first === undefined ? `Invalid ${where}` : `Invalid ${where}: ${first.path || where} ${first.message}`.trim();
    return { code: 'validation_error', message, extra: verifyShaped ? { valid: false, details } : { details } };
  }
  const mapped = thrown.code !== undefined ? FASTIFY_ERRORS[thrown.code] : undefined;
  if (mapped !== undefined) {
    if (verifyShaped && mapped[0] !== 'payload_too_large') return { code: 'validation_error', message: mapped[1], extra: { valid: false } };
    return { code: mapped[0], message: mapped[1], extra: {} };
  }
  if (typeof thrown.statusCode === 'number' && thrown.statusCode >= 400 && thrown.statusCode < 500) {
    return { code: thrown.statusCode === 413 ? 'payload_too_large' : 'validation_error', message: 'Bad request', extra: {} };
  }
  if (isUnavailable(error)) {
    return {
      code: 'service_unavailable',
      message: 'A backend is unavailable; try again shortly',
      extra: verifyShaped ? { valid: false } : {},
      retryAfter: 5,
      log: { level: 'warn', message: 'backend unavailable' },
    };
  }
  return { code: 'internal_error', message: 'Internal server error', extra: {}, log: { level: 'error', message: 'unhandled error' } };
}

/**
 * A face with an error shape of its own (`/v2`): the requests it owns get their errors from it,
 * also those that reach no route of it (a wrong method, a body that does not parse).
 */
export interface ErrorFace {
  owns(request: FastifyRequest): boolean;
  sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply;
  notFound(request: FastifyRequest): unknown;
}

/** Registers the error and not-found handlers; every error response goes through `errorAnswer`. */
export function registerErrorHandling(app: App, face?: ErrorFace): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (face?.owns(request) === true) return face.sendError(request, reply, error);
    const answer = errorAnswer(error, verifyShaped(request));
    if (answer.log !== undefined) {
      request.log[answer.log.level]({ err: error, requestId: request.id, method: request.method, url: request.url.split('?')[0] }, answer.log.message);
    }
    if (answer.retryAfter !== undefined) reply.header('retry-after', String(answer.retryAfter));
    return sendError(reply, answer.code, answer.message, answer.extra);
  });

  app.setNotFoundHandler((request, reply) => {
    if (face?.owns(request) === true) return face.sendError(request, reply, face.notFound(request));
    return sendError(reply, 'not_found', `Route ${request.method} ${request.url.split('?')[0]} not found`);
  });
}
