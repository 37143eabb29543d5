import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ERROR_STATUS, type ErrorCode } from '@elyzor/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../infra/metrics.js';
import { answerClientError } from './client-error.js';
import { metricsAccessAllowed } from './metrics-access.js';
import { createNodeServer, type HttpServerLimits } from './node-server.js';
import { requestIdFrom } from './request-id.js';

/**
 * `GET /metrics` on a port of its own (`METRICS_PORT`): a bare node:http server, so the scrape
 * can be kept off the public listener (bind it to a private address with `METRICS_HOST`). It
 * serves that one path; anything else is 404 in the service's error envelope.
 *
 * It has the app's transport limits (`HTTP_*`: request and header timeouts, keep-alive, the
 * connection cap) and answers what Node's parser refuses or times out in the same envelope, so
 * slow or idle clients cannot hold its sockets any longer than the app's.
 */
export class MetricsServer {
  private readonly server: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly token: string | undefined,
    limits: HttpServerLimits,
    log: FastifyBaseLogger,
  ) {
    this.server = createNodeServer(limits, (req, res) => void this.answer(req, res));
    // A plain (not TLS) node:http server hands its net.Socket to `clientError`, typed as a Duplex.
    this.server.on('clientError', (error: Error & { code?: string }, socket) => answerClientError(error, socket as Socket, log));
  }

  /** Listens; resolves with the port (useful when `port` is 0: any free port). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** The port listened on, or null before `listen`. */
  get port(): number | null {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address.port : null;
  }

  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      fail(res, 'not_found', `Route ${req.method ?? ''} ${path ?? ''} not found`, requestId);
      return;
    }
    if (!metricsAccessAllowed(this.token, req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      fail(res, 'unauthorized', 'A valid metrics token is required', requestId);
      return;
    }
    try {
      const body = await this.metrics.text();
      res.writeHead(200, { 'content-type': this.metrics.contentType, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      fail(res, 'internal_error', 'Internal server error', requestId);
    }
  }
}

function fail(res: ServerResponse, code: ErrorCode, message: string, requestId: string): void {
  const body = JSON.stringify({ error: code, message, requestId });
  res.writeHead(ERROR_STATUS[code], { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
