import type { Deps } from '../deps.js';

const TIMEOUT_MS = 2000;

export type ProbeResult = 'ok' | 'error';

export interface BackendHealth {
  database: ProbeResult;
  /** `disabled` with the embedded backends (no Redis configured). */
  redis: ProbeResult | 'disabled';
}

async function probe(check: () => Promise<unknown>): Promise<ProbeResult> {
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

/** Pings the database and Redis, each bounded in time: what `/v1/health` and the metrics' health gauges report. */
export async function backendHealth(deps: Pick<Deps, 'database' | 'redis'>): Promise<BackendHealth> {
  const redis = deps.redis;
  const [database, redisStatus] = await Promise.all([
    probe(() => deps.database.ping()),
    redis === null ? Promise.resolve('disabled' as const) : probe(() => redis.ping()),
  ]);
  return { database, redis: redisStatus };
}
