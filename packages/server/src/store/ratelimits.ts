import { isUuid, likePattern, type OverrideRule } from '@elyzor/core';
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

/**
 * The namespace (by id or name) and the overrides whose identifier or pattern matches
 * `identifier`, in one round trip: what every limit check reads. Undefined when no such namespace.
 */
export async function namespaceForIdentifier(db: Db, workspaceId: string, namespace: string, identifier: string): Promise<{ namespace: NamespaceRow; overrides: OverrideRule[] } | undefined> {
  const rows = await db
    .selectFrom('ratelimit_namespaces as n')
    .leftJoin('ratelimit_overrides as o', (join) => join.onRef('o.namespace_id', '=', 'n.id').on(sql<boolean>`${identifier} like o.pattern escape '\\'`))
    .select(['n.id as namespaceId', 'n.workspace_id', 'n.name', 'n.created_at'])
    .select(['o.id as overrideId', 'o.identifier', 'o.limit', 'o.duration_ms'])
    .where('n.workspace_id', '=', workspaceId)
    .where((eb) => (isUuid(namespace) ? eb.or([eb('n.id', '=', namespace.toLowerCase()), eb('n.name', '=', namespace)]) : eb('n.name', '=', namespace)))
    .execute();
  // A name that is also another namespace's id: the id wins, as in `findNamespace`.
  const chosen = rows.find((row) => row.namespaceId === namespace.toLowerCase()) ?? rows[0];
  if (chosen === undefined) return undefined;
  const overrides: OverrideRule[] = [];
  for (const row of rows) {
    if (row.namespaceId !== chosen.namespaceId || row.overrideId === null || row.identifier === null || row.limit === null || row.duration_ms === null) continue;
    overrides.push({ id: row.overrideId, identifier: row.identifier, limit: row.limit, durationMs: Number(row.duration_ms) });
  }
  return { namespace: { id: chosen.namespaceId, workspace_id: chosen.workspace_id, name: chosen.name, created_at: chosen.created_at }, overrides };
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
