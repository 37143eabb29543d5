import type { OverrideRow } from '../store/ratelimits.js';

/** An override as Unkey's `RatelimitOverride`. */
export const toOverride = (row: OverrideRow): { overrideId: string; identifier: string; limit: number; duration: number } => ({
  overrideId: row.id,
  identifier: row.identifier,
  limit: row.limit,
  duration: Number(row.duration_ms),
});
