import { ElyzorError } from '@elyzor/core';
import { metricsAccessAllowed } from '../http/metrics-access.js';
import { MetricsServer } from '../http/metrics-server.js';
import type { App, RouteContext } from '../http/types.js';

/**
 * GET /metrics, the Prometheus text format. With `METRICS_PORT` it is served by a server of
 * its own, started and stopped with the app, and the app itself has no such route; otherwise
 * it is a route of the app. Either way `METRICS_TOKEN`, when set, is required as a bearer token.
 * Returns the separate server, if any.
 */
export function registerMetrics(app: App, { deps }: RouteContext): MetricsServer | null {
  const { metrics } = deps;
  const { token, port, host } = deps.config.metrics;
  if (port !== undefined) {
    const server = new MetricsServer(metrics, token, deps.config.http, app.log);
    app.addHook('onReady', async () => {
      const listening = await server.listen(port, host);
      app.log.info({ port: listening, host }, `metrics on http://${host}:${listening}/metrics`);
    });
    app.addHook('onClose', () => server.close());
    return server;
  }
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text format); a bearer token when METRICS_TOKEN is set',
        response: { 200: { type: 'string', description: 'Prometheus text exposition format 0.0.4' } },
      },
    },
    async (request, reply) => {
      if (!metricsAccessAllowed(token, request.headers.authorization)) {
        reply.header('www-authenticate', 'Bearer');
        throw new ElyzorError('unauthorized', 'A valid metrics token is required');
      }
      const body = await metrics.text();
      return reply.type(metrics.contentType).send(body);
    },
  );
  return null;
}
