import { Health } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';

const TIMEOUT_MS = 2000;

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'error'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'error';
  } finally {
    clearTimeout(timer);
  }
}

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
      const redis = deps.redis;
      const [database, redisStatus] = await Promise.all([
        probe(() => deps.database.ping()),
        redis === null ? Promise.resolve('disabled' as const) : probe(() => redis.ping()),
      ]);
      const ok = database === 'ok' && redisStatus !== 'error';
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, redis: redisStatus });
    },
  );
}
