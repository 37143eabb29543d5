import { createServer, type RequestListener, type Server } from 'node:http';

/** The transport limits of the `node:http` server (see `HTTP_*` in config.ts). */
export interface HttpServerLimits {
  /** The whole request, headers and body, must arrive within this. */
  requestTimeoutMs: number;
  /** The header block must arrive within this (never more than `requestTimeoutMs`). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections past this many are closed as soon as they are accepted. */
  maxConnections: number;
}

/**
 * How often Node looks for requests past their timeouts. Its default, 30 s, would let a slow
 * client keep a socket for up to 30 s beyond a 10 s headers timeout; a quarter of the shortest
 * timeout, within 50 ms–1 s, keeps the overshoot small for a walk over the open connections.
 */
export function timeoutCheckInterval(limits: HttpServerLimits): number {
  return Math.max(50, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/**
 * The app's `node:http` server. Built by Fastify's `serverFactory`, so Fastify's own timeout
 * options are never applied to it: without this, Node's defaults hold (300 s per request, 60 s
 * for headers, no connection cap) and slow clients keep sockets for minutes. Requests per socket
 * stay unlimited (Node's default): keep-alive is what makes verification cheap for the caller.
 */
export function createNodeServer(limits: HttpServerLimits, listener: RequestListener): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: timeoutCheckInterval(limits),
    },
    listener,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}
