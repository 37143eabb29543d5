import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_STATUS, type ErrorCode } from '@elyzor/core';
import type { FastifyBaseLogger } from 'fastify';
import { requestIdFrom } from './request-id.js';

/** What an error of Node's HTTP parser (or its request timers) becomes on the wire. */
export interface ClientErrorAnswer {
  code: ErrorCode;
  message: string;
}

/**
 * The answer to an error Node reports before any request exists (`clientError`): a pure
 * function of the error's code. Every code that is not a timeout or an overflow is a request
 * the parser could not read: bad or duplicate Content-Length, Content-Length with
 * Transfer-Encoding, obs-fold, bad header tokens, a request line that is not HTTP …
 */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', message: 'The request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'header_too_large', message: 'Request headers are larger than 16 KB' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { code: 'payload_too_large', message: 'Chunk extensions are too large' };
    default:
      return { code: 'validation_error', message: 'Malformed HTTP request' };
  }
}

/** The complete HTTP/1.1 response for `answer`, in the error envelope, closing the connection. */
export function clientErrorResponse(answer: ClientErrorAnswer, requestId: string): string {
  const status = ERROR_STATUS[answer.code];
  const body = JSON.stringify({ error: answer.code, message: answer.message, requestId });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\n` +
    'Connection: close\r\n' +
    `Date: ${new Date().toUTCString()}\r\n\r\n${body}`
  );
}

/** How long a closing connection may still send before it is cut (see below). */
const LINGER_MS = 2000;

/** Sockets already answered: the parser reports its error again for every later chunk. */
const answered = new WeakSet<Socket>();

/** The response Node has assigned to the socket, if any (Node's own handler checks the same). */
function responseInFlight(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * Fastify's `clientErrorHandler`: answers the errors of Node's parser and request timers in the
 * error envelope with a generated `X-Request-Id` (no request object exists yet), then closes.
 *
 * The answer is written only when nothing of another response has been written on the socket,
 * so a pipelined answer is never corrupted; otherwise, and when the socket cannot be written,
 * it is destroyed. After the answer the socket is half-closed and what the client still sends
 * is read and dropped for a moment: closing with unread data would send a reset, and a reset
 * can make the client lose the answer.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket, log: FastifyBaseLogger): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  const inFlight = responseInFlight(socket);
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const answer = clientErrorAnswer(error.code);
  const requestId = requestIdFrom(undefined);
  log.debug({ requestId, code: error.code, answer: answer.code }, 'client error');
  socket.end(clientErrorResponse(answer, requestId));
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}
