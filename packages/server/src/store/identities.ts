import { isUuid } from '@elyzor/core';
import type { Kysely, Selectable } from 'kysely';
import type { IdentitiesTable, IdentityRatelimit, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

type Db = Kysely<Schema>;
export type IdentityRow = Selectable<IdentitiesTable>;

export interface NewIdentity {
  workspaceId: string;
  externalId: string;
  meta: Record<string, unknown> | null;
  ratelimits: readonly IdentityRatelimit[];
  at: Date;
}

/** Inserts an identity; undefined when the workspace has one of this external id already. */
export async function insertIdentity(db: Db, values: NewIdentity): Promise<IdentityRow | undefined> {
  return db
    .insertInto('identities')
    .values({
      workspace_id: values.workspaceId,
      external_id: values.externalId,
      meta: values.meta === null ? null : JSON.stringify(values.meta),
      ratelimits: JSON.stringify(values.ratelimits),
      created_at: values.at,
      updated_at: null,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * An identity of the workspace named by its id or its external id (Unkey's `identity` field
 * takes either); `lock` holds the row for an update in the caller's transaction.
 */
export async function findIdentity(db: Db, workspaceId: string, identity: string, lock = false): Promise<IdentityRow | undefined> {
  let query = db
    .selectFrom('identities')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => (isUuid(identity) ? eb.or([eb('id', '=', identity.toLowerCase()), eb('external_id', '=', identity)]) : eb('external_id', '=', identity)))
    // An id match first, should an external id look like another identity's id.
    .orderBy((eb) => eb.case().when('external_id', '=', identity).then(1).else(0).end());
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The identities of these external ids in the workspace (the keys of a page, in one query). */
export async function identitiesByExternalId(db: Db, workspaceId: string, externalIds: readonly string[]): Promise<Map<string, IdentityRow>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db.selectFrom('identities').selectAll().where('workspace_id', '=', workspaceId).where('external_id', 'in', [...new Set(externalIds)]).execute();
  return new Map(rows.map((row) => [row.external_id, row]));
}

/** Newest first, in keyset pages; `search` keeps the external ids that contain it. */
export async function listIdentities(db: Db, workspaceId: string, search: string | undefined, page: PageRequest): Promise<Page<IdentityRow>> {
  let query = db.selectFrom('identities').selectAll().where('workspace_id', '=', workspaceId);
  if (search !== undefined) query = query.where((eb) => eb(eb.fn('strpos', ['external_id', eb.val(search)]), '>', 0));
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit);
}

export interface IdentityPatch {
  meta?: Record<string, unknown> | null;
  ratelimits?: readonly IdentityRatelimit[];
  at: Date;
}

export async function updateIdentity(db: Db, id: string, patch: IdentityPatch): Promise<IdentityRow> {
  return db
    .updateTable('identities')
    .set({
      ...(patch.meta !== undefined ? { meta: patch.meta === null ? null : JSON.stringify(patch.meta) } : {}),
      ...(patch.ratelimits !== undefined ? { ratelimits: JSON.stringify(patch.ratelimits) } : {}),
      updated_at: patch.at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteIdentity(db: Db, id: string): Promise<void> {
  await db.deleteFrom('identities').where('id', '=', id).execute();
}
