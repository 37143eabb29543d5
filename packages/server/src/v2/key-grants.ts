import { ElyzorError, type Ctx } from '@elyzor/core';
import type { RouteContext } from '../http/types.js';
import { requireRbac, permissionView, type PermissionView } from '../services/rbac.js';
import { findProjectRef } from '../store/projects.js';
import { permissionsBySlug } from '../store/rbac.js';
import { notFoundV2 } from './errors.js';
import { projectOfKey } from './key-lookup.js';

/** The calling root key's workspace (`/v2` is for root keys only). */
export function workspaceOfCaller(ctx: Ctx): string {
  if (ctx.actor.type !== 'root_key') throw new ElyzorError('forbidden', 'Only a root key calls the /v2 API');
  return ctx.actor.workspaceId;
}

/** A key of the caller's workspace: its project and direct permissions (`scopes`); 404 for another workspace's. */
async function keyOfWorkspace({ deps }: RouteContext, ctx: Ctx, keyId: string): Promise<{ projectId: string; scopes: string[] }> {
  const projectId = await projectOfKey(deps, keyId);
  const project = await findProjectRef(deps.db, projectId);
  if (project === undefined || project.workspaceId !== workspaceOfCaller(ctx)) throw notFoundV2('key', 'The key does not exist');
  const row = await deps.db.selectFrom('credentials').select('scopes').where('id', '=', keyId).executeTakeFirstOrThrow();
  return { projectId, scopes: row.scopes };
}

/**
 * The slugs of the permissions these references (ids or slugs) name, creating missing ones
 * where the root key may (`rbac.*.create_permission`, else 403): what a key's `scopes` hold.
 */
export async function permissionSlugs({ deps, services }: RouteContext, ctx: Ctx, references: readonly string[]): Promise<string[]> {
  if (references.length === 0) return [];
  const rows = await deps.db.transaction().execute((trx) => services.rbac.ensurePermissions(trx, ctx, workspaceOfCaller(ctx), references));
  return [...new Set(rows.map((p) => p.slug))];
}

/**
 * `keys.add|set|removePermissions`: the key's direct permissions changed through the engine's
 * update verb (which needs `api.<apiId>.update_key`, audits, and drops the key from every
 * instance's cache), beside Unkey's `rbac.*.add_permission_to_key` / `remove_permission_from_key`.
 * The answer is the key's direct permissions afterwards (not its roles').
 */
export async function changeKeyPermissions(context: RouteContext, ctx: Ctx, input: { keyId: string; mode: 'add' | 'set' | 'remove'; permissions: string[] }): Promise<PermissionView[]> {
  if (input.mode !== 'remove') requireRbac(ctx, 'add_permission_to_key');
  if (input.mode !== 'add') requireRbac(ctx, 'remove_permission_from_key');
  const key = await keyOfWorkspace(context, ctx, input.keyId);
  let scopes: string[];
  if (input.mode === 'remove') {
    const named = await context.deps.db.selectFrom('rbac_permissions').select(['id', 'slug']).where('workspace_id', '=', workspaceOfCaller(ctx)).where((eb) => eb.or([eb('id', 'in', input.permissions), eb('slug', 'in', input.permissions)])).execute();
    const gone = new Set([...input.permissions, ...named.map((p) => p.slug)]);
    scopes = key.scopes.filter((s) => !gone.has(s));
  } else {
    const slugs = await permissionSlugs(context, ctx, input.permissions);
    scopes = input.mode === 'set' ? slugs : [...new Set([...key.scopes, ...slugs])];
  }
  const view = await context.deps.credentials.update({ ctx, input: { projectId: key.projectId, kind: 'key', id: input.keyId, changes: { scopes } } });
  const rows = await permissionsBySlug(context.deps.db, workspaceOfCaller(ctx), view.scopes);
  return rows.map(permissionView).sort((a, b) => a.slug.localeCompare(b.slug));
}
