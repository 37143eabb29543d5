import { randomUUID } from 'node:crypto';
import { validationError } from '@elyzor/core';
import { sql } from 'kysely';
import type { DB } from '../db/database.js';
import type { RbacPermissionsTable, RbacRolesTable } from '../db/schema.js';

/** Reads and writes of Unkey's RBAC tables (migration 010); every read is of one workspace. */
export type PermissionRow = Omit<RbacPermissionsTable, 'created_at'> & { created_at: Date };
export type RoleRow = Omit<RbacRolesTable, 'created_at'> & { created_at: Date };

/** Unkey's ids: a prefix and 32 hex digits. */
export const newRbacId = (prefix: 'perm' | 'role'): string => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/** Cursors of these lists are the last id seen (ids are opaque and sort stably). */
export const encodeIdCursor = (id: string): string => Buffer.from(id).toString('base64url');
export function decodeIdCursor(cursor: string, prefix: 'perm' | 'role'): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!new RegExp(`^${prefix}_[0-9a-f]{32}$`).test(id)) throw validationError('cursor is not valid');
  return id;
}

/** A permission of the workspace by its id or its slug. */
export const findPermission = (db: DB, workspaceId: string, idOrSlug: string): Promise<PermissionRow | undefined> =>
  db.selectFrom('rbac_permissions').selectAll().where('workspace_id', '=', workspaceId).where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)])).executeTakeFirst();

/** The workspace's permissions of these slugs. */
export const permissionsBySlug = (db: DB, workspaceId: string, slugs: readonly string[]): Promise<PermissionRow[]> =>
  slugs.length === 0 ? Promise.resolve([]) : db.selectFrom('rbac_permissions').selectAll().where('workspace_id', '=', workspaceId).where('slug', 'in', [...slugs]).execute();

/** A role of the workspace by its id or its name. */
export const findRole = (db: DB, workspaceId: string, idOrName: string): Promise<RoleRow | undefined> =>
  db.selectFrom('rbac_roles').selectAll().where('workspace_id', '=', workspaceId).where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();

/** Inserts a permission; undefined when its slug or name is taken in the workspace (the unique indexes decide). */
export async function insertPermission(db: DB, row: Omit<PermissionRow, 'created_at'>): Promise<PermissionRow | undefined> {
  return db.insertInto('rbac_permissions').values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

export async function insertRole(db: DB, row: Omit<RoleRow, 'created_at'>): Promise<RoleRow | undefined> {
  return db.insertInto('rbac_roles').values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

/** Replaces a role's permissions with these. */
export async function setRolePermissionRows(db: DB, roleId: string, permissionIds: readonly string[]): Promise<void> {
  await db.deleteFrom('rbac_role_permissions').where('role_id', '=', roleId).execute();
  if (permissionIds.length > 0) await db.insertInto('rbac_role_permissions').values(permissionIds.map((id) => ({ role_id: roleId, permission_id: id }))).onConflict((oc) => oc.doNothing()).execute();
}

/** The permissions of each role, by role id. */
export async function permissionsOfRoles(db: DB, roleIds: readonly string[]): Promise<Map<string, PermissionRow[]>> {
  const found = new Map<string, PermissionRow[]>(roleIds.map((id) => [id, []]));
  if (roleIds.length === 0) return found;
  const rows = await db
    .selectFrom('rbac_role_permissions as rp')
    .innerJoin('rbac_permissions as p', 'p.id', 'rp.permission_id')
    .select(['rp.role_id', 'p.id', 'p.workspace_id', 'p.name', 'p.slug', 'p.description', 'p.created_at'])
    .where('rp.role_id', 'in', [...roleIds])
    .orderBy('p.slug')
    .execute();
  for (const { role_id, ...permission } of rows) found.get(role_id)?.push(permission);
  return found;
}

/** One page of a workspace's permissions or roles, by id; `search` matches any text column, case-insensitively. */
export async function listRbac<T extends 'rbac_permissions' | 'rbac_roles'>(
  db: DB,
  table: T,
  workspaceId: string,
  page: { limit: number; after?: string | undefined; search?: string | undefined },
): Promise<{ items: Array<T extends 'rbac_permissions' ? PermissionRow : RoleRow>; next: string | null }> {
  const columns = table === 'rbac_permissions' ? ['id', 'name', 'slug', 'description'] : ['id', 'name', 'description'];
  let query = db.selectFrom(table as 'rbac_roles').selectAll().where('workspace_id', '=', workspaceId);
  if (page.after !== undefined) query = query.where('id', '>', page.after);
  if (page.search !== undefined && page.search !== '') {
    // strpos, not LIKE: the search text is never a pattern.
    const needle = page.search.toLowerCase();
    query = query.where(sql<boolean>`(${sql.join(columns.map((c) => sql`strpos(lower(coalesce(${sql.ref(c)}, '')), ${needle}) > 0`), sql` or `)})`);
  }
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items: items as never, next: rows.length > page.limit && last !== undefined ? encodeIdCursor(last.id) : null };
}

/** The roles of a key, by name. */
export const rolesOfKey = (db: DB, credentialId: string): Promise<RoleRow[]> =>
  db.selectFrom('rbac_key_roles as kr').innerJoin('rbac_roles as r', 'r.id', 'kr.role_id').select(['r.id', 'r.workspace_id', 'r.name', 'r.description', 'r.created_at']).where('kr.credential_id', '=', credentialId).orderBy('r.name').execute();

/** The role names of each of these keys, by key id (a page of a list). */
export async function roleNamesOfKeys(db: DB, credentialIds: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  if (credentialIds.length === 0) return found;
  const rows = await db.selectFrom('rbac_key_roles as kr').innerJoin('rbac_roles as r', 'r.id', 'kr.role_id').select(['kr.credential_id', 'r.name']).where('kr.credential_id', 'in', [...credentialIds]).orderBy('r.name').execute();
  for (const row of rows) found.set(row.credential_id, [...(found.get(row.credential_id) ?? []), row.name]);
  return found;
}

export async function setKeyRoleRows(db: DB, credentialId: string, roleIds: readonly string[]): Promise<void> {
  await db.deleteFrom('rbac_key_roles').where('credential_id', '=', credentialId).execute();
  if (roleIds.length > 0) await db.insertInto('rbac_key_roles').values(roleIds.map((id) => ({ credential_id: credentialId, role_id: id }))).onConflict((oc) => oc.doNothing()).execute();
}

/** Public ids of the keys (and their rotations' overlap copies) that hold a role: the verification cache's entries to drop. */
export async function publicIdsWithRoles(db: DB, roleIds: readonly string[]): Promise<string[]> {
  if (roleIds.length === 0) return [];
  const rows = await db.selectFrom('rbac_key_roles as kr').innerJoin('credentials as c', 'c.id', 'kr.credential_id').select('c.public_id').distinct().where('kr.role_id', 'in', [...roleIds]).execute();
  return rows.map((r) => r.public_id);
}

/**
 * Takes a permission's slug off every key of the workspace that holds it directly (its
 * `scopes`), as deleting an Unkey permission does; the keys' public ids, for the cache.
 */
export async function removeSlugFromKeys(db: DB, workspaceId: string, slug: string, now: Date): Promise<string[]> {
  const rows = await sql<{ public_id: string }>`
    update credentials set scopes = scopes - ${slug}::text, updated_at = ${now}
    where kind = 'key' and scopes ? ${slug}::text and project_id in (select id from projects where workspace_id = ${workspaceId})
    returning public_id`.execute(db);
  return rows.rows.map((r) => r.public_id);
}

/** Copies a key's roles to its rotation's replacement, in the rotation's unit of work. */
export async function copyKeyRoles(db: DB, fromId: string, toId: string): Promise<void> {
  await sql`insert into rbac_key_roles (credential_id, role_id) select ${toId}::uuid, role_id from rbac_key_roles where credential_id = ${fromId}::uuid on conflict do nothing`.execute(db);
}
