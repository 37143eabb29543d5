import { digestsEqual, isUuid, parseCredential, parseUnkeyKey } from '@elyzor/core';
import type { Deps } from '../deps.js';
import { notFoundV2 } from './errors.js';

/**
 * Unkey names a key by its id alone; the engine's verbs take its project too. The project is read
 * here, and the verb then decides whether the caller reaches it (another workspace's key is a 404).
 */
export async function projectOfKey(deps: Deps, keyId: string): Promise<string> {
  const row = isUuid(keyId) ? await deps.db.selectFrom('credentials').select('project_id').where('id', '=', keyId).where('kind', '=', 'key').executeTakeFirst() : undefined;
  if (row === undefined) throw notFoundV2('key', 'The key does not exist');
  return row.project_id;
}

/** The key a presented string is (either format), by its lookup id and digest; undefined when none. */
export async function keyOfToken(deps: Deps, token: string): Promise<{ id: string; projectId: string } | undefined> {
  const parsed = parseCredential(token) ?? parseUnkeyKey(token);
  if (parsed === null || parsed.type !== 'sk') return undefined;
  const row = await deps.db.selectFrom('credentials').select(['id', 'project_id', 'digest']).where('public_id', '=', parsed.publicId).where('kind', '=', 'key').executeTakeFirst();
  if (row === undefined || !digestsEqual(parsed.digest ?? deps.digest(token), row.digest)) return undefined;
  return { id: row.id, projectId: row.project_id };
}

/** Whether a key of this lookup id exists already (an import of the same hash twice). */
export async function lookupIdTaken(deps: Deps, publicId: string): Promise<boolean> {
  const row = await deps.db.selectFrom('credentials').select('id').where('public_id', '=', publicId).executeTakeFirst();
  return row !== undefined;
}
