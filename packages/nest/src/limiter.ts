import { MemoryLimiter, systemClock, type Limiter } from '@elyzor/core';
import { RedisScriptLimiter, type RedisLike } from '@elyzor/keys';
import type { ResolvedOptions } from './options.js';

/**
 * The counters of `@EndpointRateLimit`: core's limiter, in process, or in Redis (the service's
 * script, exact across instances) when `redisClient` is given.
 */
export function createLimiter(options: ResolvedOptions): Limiter {
  return options.redisClient === undefined ? new MemoryLimiter(systemClock) : new RedisScriptLimiter(options.redisClient as RedisLike, 'elyzor:nest:');
}
