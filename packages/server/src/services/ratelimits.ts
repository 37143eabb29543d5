import { allowsRatelimitAction, ElyzorError, matchOverride, type Ctx, type LimitDecision, type UnkeyRatelimitAction } from '@elyzor/core';
import type { Deps } from '../deps.js';
import type { Page, PageRequest } from '../store/page.js';
import { deleteOverride, ensureNamespace, findNamespace, findOverride, listOverrides, namespaceForIdentifier, upsertOverride, type NamespaceRow, type OverrideRow } from '../store/ratelimits.js';
import { auditWorkspace } from './workspace-access.js';

/** One rate-limit request: `cost` units of `identifier` in `namespace`, at most `limit` per `duration` ms. */
export interface LimitRequest {
  namespace: string;
  identifier: string;
  limit: number;
  duration: number;
  cost?: number | undefined;
}

export interface LimitAnswer {
  namespace: string;
  identifier: string;
  success: boolean;
  /** The limit that applied: the request's, or its override's. */
  limit: number;
  remaining: number;
  reset: number;
  overrideId?: string | undefined;
}

const namespaceNotFound = (): ElyzorError => new ElyzorError('not_found', 'The namespace does not exist', { details: { resource: 'ratelimit_namespace' } });
const overrideNotFound = (): ElyzorError => new ElyzorError('not_found', 'The override does not exist', { details: { resource: 'ratelimit_override' } });

/** The counter of an identifier in a namespace (the limiter's key; no row holds it). */
export const namespaceCounter = (namespaceId: string, identifier: string): string => `rlns:${namespaceId}:${identifier}`;

/** The root key's workspace, when it may do `action` in the namespace (by id or name); 403 otherwise. */
function allow(ctx: Ctx, namespace: { id?: string | undefined; name: string }, action: UnkeyRatelimitAction): string {
  const { actor } = ctx;
  if (actor.type === 'root_key' && allowsRatelimitAction(actor.permissions, namespace, action)) return actor.workspaceId;
  throw new ElyzorError('forbidden', `The root key lacks the permission ratelimit.*.${action} (or ratelimit.<namespace>.${action})`, { details: { action: `ratelimit.*.${action}` } });
}

/** The workspace of a root key (any other caller has none here). */
function workspaceOf(ctx: Ctx): string {
  if (ctx.actor.type !== 'root_key') throw new ElyzorError('forbidden', 'A root key is needed');
  return ctx.actor.workspaceId;
}

/**
 * Elyzor's limiter as a standalone service (Unkey's `ratelimit.*`): an identifier's requests in a
 * namespace, counted by the same limiter the verifications use (in process, or Redis for every
 * instance at once: atomic, so instances together never admit more than the limit). Namespaces
 * are made on first use; overrides give identifiers or `*` patterns limits of their own, the most
 * specific winning (`matchOverride`).
 */
export class RatelimitService {
  constructor(private readonly deps: Deps) {}

  /** One limit check; spends `cost` (1 by default; 0 asks without spending) when admitted. */
  async limit(ctx: Ctx, request: LimitRequest): Promise<LimitAnswer> {
    const workspaceId = workspaceOf(ctx);
    // One round trip for the namespace and its candidate overrides; a namespace not there yet is made.
    const found = await namespaceForIdentifier(this.deps.db, workspaceId, request.namespace, request.identifier);
    allow(ctx, found?.namespace ?? { name: request.namespace }, 'limit');
    const namespace = found?.namespace ?? (await this.create(ctx, workspaceId, request.namespace));
    const override = matchOverride(request.identifier, found?.overrides ?? []);
    const limit = override?.limit ?? request.limit;
    const windowMs = override?.durationMs ?? request.duration;
    const result = await this.deps.limiter.consume([{ key: namespaceCounter(namespace.id, request.identifier), rule: { type: 'sliding_window', limit, windowMs } }], request.cost ?? 1);
    const decision = result.decisions[0] as LimitDecision;
    return {
      namespace: request.namespace,
      identifier: request.identifier,
      success: result.allowed,
      limit,
      remaining: Math.max(0, decision.remaining),
      reset: decision.resetAt,
      ...(override !== undefined ? { overrideId: override.id } : {}),
    };
  }

  /** Several checks, each on its own (Unkey's `multiLimit`): one refused spends nothing of it, the others count. */
  async multiLimit(ctx: Ctx, requests: readonly LimitRequest[]): Promise<LimitAnswer[]> {
    // Permissions first, for every namespace named: a refusal of one spends nothing of any.
    const workspaceId = workspaceOf(ctx);
    for (const name of new Set(requests.map((r) => r.namespace))) allow(ctx, (await findNamespace(this.deps.db, workspaceId, name)) ?? { name }, 'limit');
    return Promise.all(requests.map((request) => this.limit(ctx, request)));
  }

  async setOverride(ctx: Ctx, input: { namespace: string; identifier: string; limit: number; duration: number }): Promise<OverrideRow> {
    const workspaceId = workspaceOf(ctx);
    let namespace = await findNamespace(this.deps.db, workspaceId, input.namespace);
    allow(ctx, namespace ?? { name: input.namespace }, 'set_override');
    if (namespace === undefined) {
      // An override may be set before the first request, by a key that may make namespaces.
      allow(ctx, { name: input.namespace }, 'create_namespace');
      namespace = await this.create(ctx, workspaceId, input.namespace);
    }
    const ns = namespace;
    return this.deps.db.transaction().execute(async (trx) => {
      const { row, before } = await upsertOverride(trx, { namespaceId: ns.id, identifier: input.identifier, limit: input.limit, durationMs: input.duration, at: new Date(this.deps.clock.now()) });
      await auditWorkspace(trx, ctx, this.deps.clock, {
        workspaceId,
        action: before === undefined ? 'ratelimit_override.created' : 'ratelimit_override.updated',
        targetType: 'ratelimit_override',
        targetId: row.id,
        changes: { limit: { before: before?.limit ?? null, after: row.limit }, duration: { before: before === undefined ? null : Number(before.duration_ms), after: Number(row.duration_ms) } },
      });
      return row;
    });
  }

  async getOverride(ctx: Ctx, namespaceName: string, identifier: string): Promise<OverrideRow> {
    const namespace = await this.existing(ctx, namespaceName, 'read_override');
    const found = await findOverride(this.deps.db, namespace.id, identifier);
    if (found === undefined) throw overrideNotFound();
    return found;
  }

  async listOverrides(ctx: Ctx, namespaceName: string, page: PageRequest): Promise<Page<OverrideRow>> {
    const namespace = await this.existing(ctx, namespaceName, 'read_override');
    return listOverrides(this.deps.db, namespace.id, page);
  }

  /** After this, the identifiers it matched are limited as requested again (or by the next most specific override). */
  async deleteOverride(ctx: Ctx, namespaceName: string, identifier: string): Promise<void> {
    const namespace = await this.existing(ctx, namespaceName, 'delete_override');
    await this.deps.db.transaction().execute(async (trx) => {
      const found = await findOverride(trx, namespace.id, identifier, true);
      if (found === undefined) throw overrideNotFound();
      await deleteOverride(trx, found.id);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: namespace.workspace_id, action: 'ratelimit_override.deleted', targetType: 'ratelimit_override', targetId: found.id, changes: { identifier: { before: found.identifier, after: null } } });
    });
  }

  /** A namespace that exists, when the root key may do `action` there; else 403 or 404 (after the permission: existence is not told to whom may not ask). */
  private async existing(ctx: Ctx, name: string, action: UnkeyRatelimitAction): Promise<NamespaceRow> {
    const workspaceId = workspaceOf(ctx);
    const namespace = await findNamespace(this.deps.db, workspaceId, name);
    allow(ctx, namespace ?? { name }, action);
    if (namespace === undefined) throw namespaceNotFound();
    return namespace;
  }

  private async create(ctx: Ctx, workspaceId: string, name: string): Promise<NamespaceRow> {
    return this.deps.db.transaction().execute(async (trx) => {
      const { row, created } = await ensureNamespace(trx, workspaceId, name, new Date(this.deps.clock.now()));
      if (created) await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId, action: 'ratelimit_namespace.created', targetType: 'ratelimit_namespace', targetId: row.id, changes: { name: { before: null, after: name } } });
      return row;
    });
  }
}

