import { allowsIdentityAction, ElyzorError, type Ctx, type UnkeyIdentityAction } from '@elyzor/core';
import { randomUUID } from 'node:crypto';
import type { IdentityRatelimit } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { deleteIdentity, findIdentity, identitiesByExternalId, insertIdentity, listIdentities, updateIdentity, type IdentityRow } from '../store/identities.js';
import type { Page, PageRequest } from '../store/page.js';
import { auditWorkspace } from './workspace-access.js';

/** A rate limit as set on an identity (its id is made here). */
export interface IdentityRatelimitInput {
  name: string;
  limit: number;
  duration: number;
  autoApply?: boolean | undefined;
}

export const identityNotFound = (): ElyzorError => new ElyzorError('not_found', 'The identity does not exist', { details: { resource: 'identity' } });

/** The workspace of a root key holding `identity.*.<action>`; 403 otherwise. */
function workspaceFor(ctx: Ctx, action: UnkeyIdentityAction): string {
  const { actor } = ctx;
  if (actor.type === 'root_key' && allowsIdentityAction(actor.permissions, action)) return actor.workspaceId;
  throw new ElyzorError('forbidden', `The root key lacks the permission identity.*.${action}`, { details: { action: `identity.*.${action}` } });
}

function ratelimitsOf(input: readonly IdentityRatelimitInput[]): IdentityRatelimit[] {
  const names = new Set<string>();
  for (const limit of input) {
    if (names.has(limit.name)) throw new ElyzorError('validation_error', `ratelimits: the name "${limit.name}" is given twice`, { details: { field: 'ratelimits' } });
    names.add(limit.name);
  }
  return input.map((limit) => ({ id: randomUUID(), name: limit.name, limit: limit.limit, duration: limit.duration, autoApply: limit.autoApply ?? false }));
}

/**
 * Identities (Unkey's): a workspace's end users, each an external id with metadata and rate
 * limits that all its keys share. A key belongs to the identity whose external id is its owner.
 * Root keys with `identity.*.<action>` manage them; every change is in the audit log.
 */
export class IdentityService {
  constructor(private readonly deps: Deps) {}

  async create(ctx: Ctx, input: { externalId: string; meta?: Record<string, unknown> | undefined; ratelimits?: readonly IdentityRatelimitInput[] | undefined }): Promise<IdentityRow> {
    const workspaceId = workspaceFor(ctx, 'create_identity');
    const ratelimits = ratelimitsOf(input.ratelimits ?? []);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await insertIdentity(trx, { workspaceId, externalId: input.externalId, meta: input.meta ?? null, ratelimits, at: new Date(this.deps.clock.now()) });
      if (row === undefined) throw new ElyzorError('already_exists', `An identity with the externalId "${input.externalId}" exists already`, { details: { resource: 'identity' } });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'identity.created', targetType: 'identity', targetId: row.id, changes: { externalId: { before: null, after: input.externalId } } });
      return row;
    });
  }

  /**
   * The identity of `externalId` for a key being made or changed: the one that exists, or a new
   * one without metadata or limits (Unkey's `externalId` on `keys.createKey` links or creates).
   * The caller may already change keys of the workspace; no identity permission is asked.
   */
  async ensure(ctx: Ctx, workspaceId: string, externalId: string): Promise<void> {
    const inserted = await insertIdentity(this.deps.db, { workspaceId, externalId, meta: null, ratelimits: [], at: new Date(this.deps.clock.now()) });
    if (inserted !== undefined) {
      await auditWorkspace(this.deps.db, ctx, this.deps.clock, { workspaceId, action: 'identity.created', targetType: 'identity', targetId: inserted.id, changes: { externalId: { before: null, after: externalId } } });
    }
  }

  async get(ctx: Ctx, identity: string): Promise<IdentityRow> {
    const found = await findIdentity(this.deps.db, workspaceFor(ctx, 'read_identity'), identity);
    if (found === undefined) throw identityNotFound();
    return found;
  }

  async list(ctx: Ctx, search: string | undefined, page: PageRequest): Promise<Page<IdentityRow>> {
    return listIdentities(this.deps.db, workspaceFor(ctx, 'read_identity'), search, page);
  }

  /** `meta` and `ratelimits` replace what was there (`null` meta clears it); left out, they stay. */
  async update(ctx: Ctx, identity: string, patch: { meta?: Record<string, unknown> | null | undefined; ratelimits?: readonly IdentityRatelimitInput[] | undefined }): Promise<IdentityRow> {
    const workspaceId = workspaceFor(ctx, 'update_identity');
    const ratelimits = patch.ratelimits === undefined ? undefined : ratelimitsOf(patch.ratelimits);
    return this.deps.db.transaction().execute(async (trx) => {
      const found = await findIdentity(trx, workspaceId, identity, true);
      if (found === undefined) throw identityNotFound();
      const updated = await updateIdentity(trx, found.id, { ...(patch.meta !== undefined ? { meta: patch.meta } : {}), ...(ratelimits !== undefined ? { ratelimits } : {}), at: new Date(this.deps.clock.now()) });
      const changes = {
        ...(patch.meta !== undefined ? { meta: { before: found.meta, after: updated.meta } } : {}),
        ...(ratelimits !== undefined ? { ratelimits: { before: found.ratelimits, after: updated.ratelimits } } : {}),
      };
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'identity.updated', targetType: 'identity', targetId: found.id, changes });
      return updated;
    });
  }

  /** The identity goes; its keys stay, with their external id (their owner at `/v1`) and without its limits. */
  async delete(ctx: Ctx, identity: string): Promise<void> {
    const workspaceId = workspaceFor(ctx, 'delete_identity');
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await findIdentity(trx, workspaceId, identity, true);
      if (found === undefined) throw identityNotFound();
      await deleteIdentity(trx, found.id);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'identity.deleted', targetType: 'identity', targetId: found.id, changes: { externalId: { before: found.external_id, after: null } } });
    });
  }

  /**
   * The identity a key's owner is, if any, in the calling root key's workspace (no identity
   * permission asked: the caller has read the key, and the key shows its identity).
   */
  async ofOwner(ctx: Ctx, ownerId: string | null): Promise<IdentityRow | undefined> {
    if (ownerId === null || ctx.actor.type !== 'root_key') return undefined;
    return (await identitiesByExternalId(this.deps.db, ctx.actor.workspaceId, [ownerId])).get(ownerId);
  }

  /** The identities of several keys' owners, in one query. */
  async ofOwners(ctx: Ctx, ownerIds: ReadonlyArray<string | null>): Promise<Map<string, IdentityRow>> {
    if (ctx.actor.type !== 'root_key') return new Map();
    return identitiesByExternalId(this.deps.db, ctx.actor.workspaceId, ownerIds.filter((id): id is string => id !== null));
  }
}
