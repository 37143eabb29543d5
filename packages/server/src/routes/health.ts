import { Health } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { backendHealth } from '../infra/backend-health.js';

export function registerHealth(app: App, { deps }: RouteContext): void {
  app.get(
    '/v1/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Deep health check: probes the database and Redis',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const { database, redis } = await backendHealth(deps);
      const ok = database === 'ok' && redis !== 'error';
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, redis });
    },
  );
}
