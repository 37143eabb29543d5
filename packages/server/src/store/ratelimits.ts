import { isUuid, likePattern } from '@elyzor/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { RatelimitNamespacesTable, RatelimitOverridesTable, Schema } from '../db/schema.js';
import { afterCursor, toPage, type Page, type PageRequest } from './page.js';

type Db = Kysely<Schema>;
export type NamespaceRow = Selectable<RatelimitNamespacesTable>;
export type OverrideRow = Selectable<RatelimitOverridesTable>;

/** A namespace of the workspace by its id or its name. */
export async function findNamespace(db: Db, workspaceId: string, namespace: string): Promise<NamespaceRow | undefined> {
  return db
    .selectFrom('ratelimit_namespaces')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => (isUuid(namespace) ? eb.or([eb('id', '=', namespace.toLowerCase()), eb('name', '=', namespace)]) : eb('name', '=', namespace)))
    .orderBy((eb) => eb.case().when('name', '=', namespace).then(1).else(0).end())
    .executeTakeFirst();
}

/** The namespace of this name, made when it is not there yet (two instances at once make one). */
export async function ensureNamespace(db: Db, workspaceId: string, name: string, at: Date): Promise<{ row: NamespaceRow; created: boolean }> {
  const inserted = await db
    .insertInto('ratelimit_namespaces')
    .values({ workspace_id: workspaceId, name, created_at: at })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted !== undefined) return { row: inserted, created: true };
  const row = await db.selectFrom('ratelimit_namespaces').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirstOrThrow();
  return { row, created: false };
}

/** The overrides whose identifier or pattern matches `identifier` (the engine picks the one that applies). */
export async function overridesMatching(db: Db, namespaceId: string, identifier: string): Promise<OverrideRow[]> {
  return db
    .selectFrom('ratelimit_overrides')
    .selectAll()
    .where('namespace_id', '=', namespaceId)
    .where(sql<boolean>`${identifier} like pattern escape '\\'`)
    .execute();
}

export async function upsertOverride(db: Db, values: { namespaceId: string; identifier: string; limit: number; durationMs: number; at: Date }): Promise<{ row: OverrideRow; before: OverrideRow | undefined }> {
  const before = await findOverride(db, values.namespaceId, values.identifier, true);
  const row = await db
    .insertInto('ratelimit_overrides')
    .values({ namespace_id: values.namespaceId, identifier: values.identifier, pattern: likePattern(values.identifier), limit: values.limit, duration_ms: values.durationMs, created_at: values.at, updated_at: null })
    .onConflict((oc) => oc.columns(['namespace_id', 'identifier']).doUpdateSet({ limit: values.limit, duration_ms: values.durationMs, updated_at: values.at }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, before };
}

/** The override of exactly this identifier or pattern (`acme_*` names the pattern, not what it matches). */
export async function findOverride(db: Db, namespaceId: string, identifier: string, lock = false): Promise<OverrideRow | undefined> {
  let query = db.selectFrom('ratelimit_overrides').selectAll().where('namespace_id', '=', namespaceId).where('identifier', '=', identifier);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listOverrides(db: Db, namespaceId: string, page: PageRequest): Promise<Page<OverrideRow>> {
  let query = db.selectFrom('ratelimit_overrides').selectAll().where('namespace_id', '=', namespaceId);
  if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor));
  return toPage(await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute(), page.limit);
}

export async function deleteOverride(db: Db, id: string): Promise<void> {
  await db.deleteFrom('ratelimit_overrides').where('id', '=', id).execute();
}
