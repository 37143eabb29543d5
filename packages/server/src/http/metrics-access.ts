import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from './authenticate.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Whether a scrape may read `/metrics`: always when no `METRICS_TOKEN` is set, otherwise only
 * with `Authorization: Bearer <METRICS_TOKEN>`. Compared as digests in constant time, so
 * neither the token's content nor its length leaks through timing.
 */
export function metricsAccessAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = bearerToken(authorization);
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}
