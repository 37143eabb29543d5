import { allowsRbacAction, allowsUnkeyAction, ElyzorError, isUuid, type Ctx, type UnkeyRbacAction } from '@elyzor/core';
import type { DB } from '../db/database.js';
import type { Deps } from '../deps.js';
import {
  decodeIdCursor,
  findPermission,
  findRole,
  insertPermission,
  insertRole,
  listRbac,
  newRbacId,
  permissionsBySlug,
  permissionsOfRoles,
  publicIdsWithRoles,
  removeSlugFromKeys,
  roleNamesOfKeys,
  rolesOfKey,
  setKeyRoleRows,
  setRolePermissionRows,
  type PermissionRow,
  type RoleRow,
} from '../store/rbac.js';
import { auditWorkspace } from './workspace-access.js';

/** A permission as answers show it (Unkey's `Permission`). */
export interface PermissionView {
  id: string;
  name: string;
  slug: string;
  description?: string;
}

/** A role as answers show it (Unkey's `Role`), with its permissions. */
export interface RoleView {
  id: string;
  name: string;
  description?: string;
  permissions: PermissionView[];
}

export const permissionView = (row: PermissionRow): PermissionView => ({ id: row.id, name: row.name, slug: row.slug, ...(row.description !== null ? { description: row.description } : {}) });
const roleView = (row: RoleRow, permissions: PermissionRow[]): RoleView => ({ id: row.id, name: row.name, ...(row.description !== null ? { description: row.description } : {}), permissions: permissions.map(permissionView) });

/** 403 unless the root key holds `rbac.*.<action>`. */
export function requireRbac(ctx: Ctx, action: UnkeyRbacAction): void {
  if (ctx.actor.type === 'root_key' && allowsRbacAction(ctx.actor.permissions, action)) return;
  throw new ElyzorError('forbidden', `The root key lacks the permission rbac.*.${action}`, { details: { action: `rbac.*.${action}` } });
}

/** The workspace of the calling root key: RBAC objects are the workspace's. */
function workspaceOf(ctx: Ctx): string {
  if (ctx.actor.type !== 'root_key') throw new ElyzorError('forbidden', 'Only a root key manages Unkey permissions and roles');
  return ctx.actor.workspaceId;
}

const conflict = (what: string): ElyzorError => new ElyzorError('already_exists', what);
/** Not found, naming what (the `/v2` face answers Unkey's `data/<resource>_not_found`). */
const absent = (resource: 'permission' | 'role' | 'key', what: string): ElyzorError => new ElyzorError('not_found', `${what} not found`, { details: { resource } });

/**
 * Unkey's RBAC over a workspace: permissions (named by their slug on keys and in queries), roles
 * (sets of permissions) and the roles of keys. A key's own permissions are its `scopes`, changed
 * through the engine's update verb; its roles are held here. Every change that alters what a key
 * is granted tells every instance to drop the key from its verification cache, so the next
 * verification (`/v1/verify` or `/v2/keys.verifyKey`) sees it.
 */
export class RbacService {
  constructor(private readonly deps: Deps) {}

  async createPermission(ctx: Ctx, input: { name: string; slug: string; description?: string | undefined }): Promise<PermissionView> {
    requireRbac(ctx, 'create_permission');
    const workspaceId = workspaceOf(ctx);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await insertPermission(trx, { id: newRbacId('perm'), workspace_id: workspaceId, name: input.name, slug: input.slug, description: input.description ?? null });
      if (row === undefined) throw conflict(`A permission with the slug "${input.slug}" or the name "${input.name}" already exists`);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'permission.created', targetType: 'permission', targetId: null, changes: { slug: { before: null, after: row.slug }, id: { before: null, after: row.id } } });
      return permissionView(row);
    });
  }

  async getPermission(ctx: Ctx, idOrSlug: string): Promise<PermissionView> {
    requireRbac(ctx, 'read_permission');
    const row = await findPermission(this.deps.db, workspaceOf(ctx), idOrSlug);
    if (row === undefined) throw absent('permission', 'Permission');
    return permissionView(row);
  }

  async listPermissions(ctx: Ctx, page: { limit: number; cursor?: string | undefined; search?: string | undefined }): Promise<{ items: PermissionView[]; next: string | null }> {
    requireRbac(ctx, 'read_permission');
    const after = page.cursor === undefined ? undefined : decodeIdCursor(page.cursor, 'perm');
    const result = await listRbac(this.deps.db, 'rbac_permissions', workspaceOf(ctx), { limit: page.limit, after, search: page.search });
    return { items: result.items.map(permissionView), next: result.next };
  }

  /** Deletes a permission: roles lose it, and so do keys that held it directly. */
  async deletePermission(ctx: Ctx, idOrSlug: string): Promise<void> {
    requireRbac(ctx, 'delete_permission');
    const workspaceId = workspaceOf(ctx);
    const touched = await this.deps.db.transaction().execute(async (trx) => {
      const row = await findPermission(trx, workspaceId, idOrSlug);
      if (row === undefined) throw absent('permission', 'Permission');
      const roles = await trx.selectFrom('rbac_role_permissions').select('role_id').where('permission_id', '=', row.id).execute();
      const viaRoles = await publicIdsWithRoles(trx, roles.map((r) => r.role_id));
      const direct = await removeSlugFromKeys(trx, workspaceId, row.slug, new Date(this.deps.clock.now()));
      await trx.deleteFrom('rbac_permissions').where('id', '=', row.id).execute();
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'permission.deleted', targetType: 'permission', targetId: null, changes: { slug: { before: row.slug, after: null }, id: { before: row.id, after: null } } });
      return [...viaRoles, ...direct];
    });
    await this.invalidate(touched);
  }

  async createRole(ctx: Ctx, input: { name: string; description?: string | undefined; permissions?: string[] | undefined }): Promise<{ roleId: string }> {
    requireRbac(ctx, 'create_role');
    const workspaceId = workspaceOf(ctx);
    return this.deps.db.transaction().execute(async (trx) => {
      const permissions = await this.ensurePermissions(trx, ctx, workspaceId, input.permissions ?? []);
      const row = await insertRole(trx, { id: newRbacId('role'), workspace_id: workspaceId, name: input.name, description: input.description ?? null });
      if (row === undefined) throw conflict(`A role named "${input.name}" already exists`);
      await setRolePermissionRows(trx, row.id, permissions.map((p) => p.id));
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'role.created', targetType: 'role', targetId: null, changes: { name: { before: null, after: row.name }, id: { before: null, after: row.id }, permissions: { before: null, after: permissions.map((p) => p.slug) } } });
      return { roleId: row.id };
    });
  }

  async getRole(ctx: Ctx, idOrName: string): Promise<RoleView> {
    requireRbac(ctx, 'read_role');
    const row = await findRole(this.deps.db, workspaceOf(ctx), idOrName);
    if (row === undefined) throw absent('role', 'Role');
    return roleView(row, (await permissionsOfRoles(this.deps.db, [row.id])).get(row.id) ?? []);
  }

  async listRoles(ctx: Ctx, page: { limit: number; cursor?: string | undefined; search?: string | undefined }): Promise<{ items: RoleView[]; next: string | null }> {
    requireRbac(ctx, 'read_role');
    const after = page.cursor === undefined ? undefined : decodeIdCursor(page.cursor, 'role');
    const result = await listRbac(this.deps.db, 'rbac_roles', workspaceOf(ctx), { limit: page.limit, after, search: page.search });
    const permissions = await permissionsOfRoles(this.deps.db, result.items.map((r) => r.id));
    return { items: result.items.map((r) => roleView(r, permissions.get(r.id) ?? [])), next: result.next };
  }

  /** Deletes a role: the keys that held it lose its permissions. */
  async deleteRole(ctx: Ctx, idOrName: string): Promise<void> {
    requireRbac(ctx, 'delete_role');
    const workspaceId = workspaceOf(ctx);
    const touched = await this.deps.db.transaction().execute(async (trx) => {
      const row = await findRole(trx, workspaceId, idOrName);
      if (row === undefined) throw absent('role', 'Role');
      const holders = await publicIdsWithRoles(trx, [row.id]);
      await trx.deleteFrom('rbac_roles').where('id', '=', row.id).execute();
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'role.deleted', targetType: 'role', targetId: null, changes: { name: { before: row.name, after: null }, id: { before: row.id, after: null } } });
      return holders;
    });
    await this.invalidate(touched);
  }

  /** Replaces a role's permissions (missing ones are created where the root key may); its keys see the change at once. */
  async setRolePermissions(ctx: Ctx, idOrName: string, slugs: string[]): Promise<PermissionView[]> {
    requireRbac(ctx, 'add_permission_to_role');
    requireRbac(ctx, 'remove_permission_from_role');
    const workspaceId = workspaceOf(ctx);
    const touched = await this.deps.db.transaction().execute(async (trx) => {
      const row = await findRole(trx, workspaceId, idOrName);
      if (row === undefined) throw absent('role', 'Role');
      const before = (await permissionsOfRoles(trx, [row.id])).get(row.id) ?? [];
      const permissions = await this.ensurePermissions(trx, ctx, workspaceId, slugs);
      await setRolePermissionRows(trx, row.id, permissions.map((p) => p.id));
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'role.updated', targetType: 'role', targetId: null, changes: { id: { before: row.id, after: row.id }, permissions: { before: before.map((p) => p.slug), after: permissions.map((p) => p.slug) } } });
      return { holders: await publicIdsWithRoles(trx, [row.id]), permissions };
    });
    await this.invalidate(touched.holders);
    return touched.permissions.map(permissionView).sort((a, b) => a.slug.localeCompare(b.slug));
  }

  /**
   * The permissions these references name (an id or a slug), creating those that do not exist
   * (the slug as their name) when the root key holds `rbac.*.create_permission`; 403 otherwise,
   * as Unkey answers.
   */
  async ensurePermissions(db: DB, ctx: Ctx, workspaceId: string, references: readonly string[]): Promise<PermissionRow[]> {
    const unique = [...new Set(references)];
    const byId = unique.filter((r) => r.startsWith('perm_'));
    const known = byId.length === 0 ? [] : await db.selectFrom('rbac_permissions').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', byId).execute();
    // An id names an existing permission of this workspace; one that does not is a 404, never a new slug.
    const unknownId = byId.find((r) => !known.some((p) => p.id === r));
    if (unknownId !== undefined) throw absent('permission', `Permission "${unknownId.slice(0, 64)}"`);
    const slugs = unique.filter((r) => !r.startsWith('perm_'));
    const existing = await permissionsBySlug(db, workspaceId, slugs);
    const missing = slugs.filter((slug) => !existing.some((p) => p.slug === slug));
    if (missing.length > 0) {
      if (ctx.actor.type !== 'root_key' || !allowsRbacAction(ctx.actor.permissions, 'create_permission')) {
        throw new ElyzorError('forbidden', `Permissions that do not exist (${missing.slice(0, 5).join(', ')}) are created only with rbac.*.create_permission`, { details: { action: 'rbac.*.create_permission' } });
      }
      for (const slug of missing) {
        // A concurrent creation of the same slug wins; its row is read below.
        await db.insertInto('rbac_permissions').values({ id: newRbacId('perm'), workspace_id: workspaceId, name: slug, slug, description: null }).onConflict((oc) => oc.doNothing()).execute();
      }
    }
    const created = missing.length === 0 ? [] : await permissionsBySlug(db, workspaceId, missing);
    if (created.length !== missing.length) throw conflict('A permission name is taken by another permission');
    return [...known, ...existing, ...created];
  }

  /** The role names (sorted) of each of these keys, for their views. */
  roleNamesOfKeys(keyIds: readonly string[]): Promise<Map<string, string[]>> {
    return roleNamesOfKeys(this.deps.db, keyIds);
  }

  /**
   * Adds, sets or removes roles of a live key of the root key's workspace. The root key must
   * hold `api.<apiId>.<apiAction>` on the key's API (`update_key`; `create_key` for the roles a
   * key is created with) and the RBAC permissions of the change; every role named must exist
   * (404 otherwise, and nothing changes).
   */
  async changeKeyRoles(ctx: Ctx, input: { keyId: string; mode: 'add' | 'set' | 'remove'; roles: string[]; apiAction?: 'update_key' | 'create_key' }): Promise<RoleView[]> {
    if (input.mode !== 'remove') requireRbac(ctx, 'add_role_to_key');
    if (input.mode !== 'add') requireRbac(ctx, 'remove_role_from_key');
    const workspaceId = workspaceOf(ctx);
    const { publicId, roles } = await this.deps.db.transaction().execute(async (trx) => {
      const key = await this.lockKey(trx, ctx, workspaceId, input.keyId, input.apiAction ?? 'update_key');
      const current = await rolesOfKey(trx, key.id);
      const named = await this.resolveRoles(trx, workspaceId, input.roles);
      const ids = new Set(input.mode === 'set' ? [] : current.map((r) => r.id));
      for (const role of named) {
        if (input.mode === 'remove') ids.delete(role.id);
        else ids.add(role.id);
      }
      await setKeyRoleRows(trx, key.id, [...ids]);
      const after = await rolesOfKey(trx, key.id);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, projectId: key.project_id, action: 'key.updated', targetType: 'key', targetId: key.id, changes: { roles: { before: current.map((r) => r.name), after: after.map((r) => r.name) } } });
      return { publicId: key.public_id, roles: after };
    });
    await this.invalidate([publicId]);
    const permissions = await permissionsOfRoles(this.deps.db, roles.map((r) => r.id));
    return roles.map((r) => roleView(r, permissions.get(r.id) ?? []));
  }

  /** Roles by id or name, all of them the workspace's, or 404. */
  async resolveRoles(db: DB, workspaceId: string, references: readonly string[]): Promise<RoleRow[]> {
    const found: RoleRow[] = [];
    for (const reference of new Set(references)) {
      const role = await findRole(db, workspaceId, reference);
      if (role === undefined) throw absent('role', `Role "${reference.slice(0, 64)}"`);
      found.push(role);
    }
    return found;
  }

  /** The live key, locked for the change, if it is of this workspace (404 otherwise) and the root key holds `apiAction` on its API (403 otherwise). */
  private async lockKey(trx: DB, ctx: Ctx, workspaceId: string, keyId: string, apiAction: 'update_key' | 'create_key'): Promise<{ id: string; project_id: string; public_id: string }> {
    const key = isUuid(keyId)
      ? await trx
          .selectFrom('credentials as c')
          .innerJoin('projects as p', 'p.id', 'c.project_id')
          .select(['c.id', 'c.project_id', 'c.public_id', 'c.revoked_at'])
          .where('c.id', '=', keyId)
          .where('c.kind', '=', 'key')
          .where('p.workspace_id', '=', workspaceId)
          .forUpdate('c')
          .executeTakeFirst()
      : undefined;
    if (key === undefined || (key.revoked_at !== null && key.revoked_at.getTime() <= this.deps.clock.now())) throw absent('key', 'Key');
    if (ctx.actor.type !== 'root_key' || !allowsUnkeyAction(ctx.actor.permissions, key.project_id, apiAction)) {
      throw new ElyzorError('forbidden', `The root key lacks the permission api.${key.project_id}.${apiAction} (or api.*.${apiAction})`, { details: { action: `api.${key.project_id}.${apiAction}` } });
    }
    return key;
  }

  /** Every instance drops these keys from its verification cache. */
  private async invalidate(publicIds: readonly string[]): Promise<void> {
    if (publicIds.length > 0) await this.deps.bus.publish([...new Set(publicIds)]);
  }
}
