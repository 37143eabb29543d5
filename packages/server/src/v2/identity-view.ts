import type { IdentityRow } from '../store/identities.js';
import { compact } from './envelope.js';

/** An identity as Unkey's `Identity`: optional fields omitted. */
export function toIdentity(row: IdentityRow): { id: string; externalId: string; meta?: Record<string, unknown>; ratelimits?: IdentityRow['ratelimits'] } {
  return compact({ id: row.id, externalId: row.external_id, meta: row.meta ?? undefined, ratelimits: row.ratelimits.length > 0 ? row.ratelimits : undefined });
}
