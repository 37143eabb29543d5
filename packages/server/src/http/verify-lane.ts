import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ERROR_STATUS, type CredentialKind } from '@elyzor/core';
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { Deps } from '../deps.js';
import { MAX_AUTHORIZATION_LENGTH } from './authenticate.js';
import { clientAddress, type TrustProxy } from './client-address.js';
import { errorAnswer } from './errors.js';
import { assertStorable } from './input-hygiene.js';
import { requestIdFrom } from './request-id.js';
import { answerVerification, type VerifyAnswer } from './verify-answer.js';
import type { VerifyBody } from '@elyzor/contract';
import type { AppLogger } from './types.js';

/**
 * Parses a JSON body the way Fastify's own parser does, throwing Fastify's errors; a blank body
 * (curl -X POST -H 'Content-Type: application/json') is undefined: "no fields".
 */
export type JsonParser = (text: string) => unknown;

/**
 * Fastify's default JSON parser as a plain function (it is synchronous and reads nothing of the
 * request), with blank bodies read as "no fields". The app's content-type parser and the verify
 * lane both use it.
 */
export function jsonBodyParser(parser: ReturnType<FastifyInstance['getDefaultJsonParser']>): JsonParser {
  return (text) => {
    if (text.trim() === '') return undefined;
    let failure: Error | null = null;
    let value: unknown;
    parser(null as never, text, (error, parsed) => {
      failure = error;
      value = parsed;
    });
    if (failure !== null) throw failure;
    return value;
  };
}

/** Thrown by the parser: Fastify closes the connection then, and so does the lane. */
class UnparsableBody extends Error {
  constructor(cause: unknown) {
    super('unparsable body', { cause });
  }
}

export interface VerifyLaneOptions {
  deps: Deps;
  trust: TrustProxy | false;
  parseJson: JsonParser;
  /** VerifyBody compiled by the same Ajv instance as Fastify's body validator. */
  validate: ValidateFunction<Static<typeof VerifyBody>>;
  bodyLimit: number;
  logger: AppLogger;
}

const JSON_CONTENT_TYPE = /^application\/json\s*(?:;|$)/i;
const CONTENT_LENGTH = /^\d{1,9}$/;

function kindOf(url: string | undefined): CredentialKind | null {
  if (url === '/v1/verify') return 'key';
  if (url === '/v1/verify/service') return 'service';
  return null;
}

/**
 * The verify lane: POST /v1/verify and /v1/verify/service answered straight from `node:http`,
 * without Fastify's per-request objects, hooks and serializers, which cost more than the
 * verification itself (a bare Fastify route answers about 0.6× as many requests per second as a
 * raw handler on the same machine).
 *
 * It is a transport shortcut, not a second implementation: the request id, client address,
 * JSON parser, body validator, input hygiene, error mapping and the answer itself are the very
 * functions the Fastify routes use. It takes only the plain form of a verification (exact
 * path, a JSON or empty body within the size limit, a sane Authorization header) and hands
 * everything else to Fastify untouched, before reading a byte of it, so unusual requests get
 * Fastify's own answers (415, 413, chunked bodies, query strings …).
 */
export class VerifyLane {
  /** Set when the app starts closing: answers then carry `Connection: close`, as Fastify's do. */
  closing = false;

  constructor(private readonly options: VerifyLaneOptions) {}

  /** Serves the request and returns true, or returns false having touched nothing. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    const kind = kindOf(req.url);
    if (kind === null) return false;
    const { headers } = req;
    if (headers['transfer-encoding'] !== undefined) return false;
    const length = headers['content-length'];
    if (length !== undefined && (!CONTENT_LENGTH.test(length) || Number(length) > this.options.bodyLimit)) return false;
    const empty = length === undefined || Number(length) === 0;
    const type = headers['content-type'];
    if (type === undefined ? !empty : !JSON_CONTENT_TYPE.test(type)) return false;
    const authorization = headers.authorization;
    if (authorization !== undefined && authorization.length > MAX_AUTHORIZATION_LENGTH) return false;

    const requestId = requestIdFrom(headers['x-request-id']);
    if (empty) {
      this.answer(req, res, kind, requestId, '');
      return true;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.answer(req, res, kind, requestId, (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8')));
    // An aborted request has no one left to answer; the socket is already gone.
    req.on('error', () => undefined);
    return true;
  }

  private answer(req: IncomingMessage, res: ServerResponse, kind: CredentialKind, requestId: string, text: string): void {
    const started = performance.now();
    let answer: VerifyAnswer | Promise<VerifyAnswer>;
    try {
      answer = answerVerification(this.options.deps, { kind, authorization: req.headers.authorization, body: this.body(text), ip: clientAddress(req, this.options.trust), startedMs: started });
    } catch (thrown) {
      this.fail(req, res, requestId, thrown, started);
      return;
    }
    // A cached credential is answered in this very turn: no promise to wait for.
    if (answer instanceof Promise) {
      answer.then(
        (done) => this.write(req, res, requestId, done, this.closing, started),
        (thrown: unknown) => this.fail(req, res, requestId, thrown, started),
      );
    } else {
      this.write(req, res, requestId, answer, this.closing, started);
    }
  }

  /** An error (an unparsable or invalid body, a backend out of reach) in Fastify's own answer. */
  private fail(req: IncomingMessage, res: ServerResponse, requestId: string, thrown: unknown, started: number): void {
    const { logger } = this.options;
    const error: unknown = thrown instanceof UnparsableBody ? thrown.cause : thrown;
    const answer = errorAnswer(error, true);
    if (answer.log !== undefined) logger[answer.log.level]({ err: error, requestId, method: 'POST', url: req.url }, answer.log.message);
    const written: VerifyAnswer = {
      status: ERROR_STATUS[answer.code],
      rateLimitPolicy: null,
      rateLimit: null,
      retryAfter: answer.retryAfter === undefined ? null : String(answer.retryAfter),
      body: JSON.stringify({ error: answer.code, message: answer.message, requestId, ...answer.extra }),
    };
    // Fastify closes the connection after a body it could not parse, and so does the lane.
    this.write(req, res, requestId, written, this.closing || thrown instanceof UnparsableBody, started);
  }

  /**
   * Writes the answer with its headers as one flat list, in a fixed order: Node takes the list
   * as is, with no object of headers to build and walk per request.
   */
  private write(req: IncomingMessage, res: ServerResponse, requestId: string, answer: VerifyAnswer, close: boolean, started: number): void {
    const { logger } = this.options;
    const { body } = answer;
    const headers: string[] = [];
    if (answer.rateLimitPolicy !== null) headers.push('ratelimit-policy', answer.rateLimitPolicy);
    if (answer.rateLimit !== null) headers.push('ratelimit', answer.rateLimit);
    if (answer.retryAfter !== null) headers.push('retry-after', answer.retryAfter);
    headers.push('content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body)), 'x-request-id', requestId);
    if (close) headers.push('connection', 'close');
    res.writeHead(answer.status, headers);
    res.end(body);
    // Verifications are metered as usage records; the access log has them at debug only.
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ requestId, method: 'POST', url: req.url, status: answer.status, ms: Math.round((performance.now() - started) * 100) / 100 }, 'request');
    }
  }

  /** The body as Fastify's routes would see it: parsed, storable, valid; else throws their error. */
  private body(text: string): Static<typeof VerifyBody> {
    let parsed: unknown;
    // The commonest body, no fields, is what the parser would make of it (a fresh empty object).
    if (text === '{}') {
      parsed = {};
    } else {
      try {
        parsed = this.options.parseJson(text);
      } catch (error) {
        throw new UnparsableBody(error);
      }
    }
    // Only a blank body means "no fields" (as the routes' preValidation hook has it); JSON
    // `null` is a body that is not an object, and the validator refuses it.
    if (parsed === undefined) parsed = {};
    assertStorable(parsed, 'body');
    const { validate } = this.options;
    if (!validate(parsed)) throw Object.assign(new Error('invalid body'), { validation: validate.errors ?? [], validationContext: 'body' });
    return parsed;
  }
}
