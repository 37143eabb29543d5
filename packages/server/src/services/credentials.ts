import { ElyzorError, creditsWindow, displayPrefix, notFound, type CreditsPolicy, type CredentialKind, type Environment } from '@elyzor/core';
import type { Actor, Deps } from '../deps.js';
import type { DB } from '../db/database.js';
import { recordAudit } from '../store/audit.js';
import {
  credentialUsage,
  credentialUsageByDay,
  getCredential,
  insertCredential,
  listCredentials,
  lockCredential,
  statusOf,
  updateCredential,
  type CredentialFilters,
  type CredentialRow,
  type CredentialStatus,
  type CredentialUsage,
} from '../store/credentials.js';
import type { Page, PageRequest } from '../store/page.js';
import { diff, policyColumns, policyView, type PolicyInput, type PolicyView } from './policy.js';
import { isUuid, type ProjectService } from './projects.js';

export interface CreateCredentialInput extends PolicyInput {
  label?: string | undefined;
  name?: string | undefined;
  environment?: Environment | undefined;
}

export interface UpdateCredentialInput extends PolicyInput {
  label?: string | null;
  name?: string;
}

/** A credential as management responses show it: never the secret, never the digest. */
export interface CredentialView extends PolicyView {
  id: string;
  label?: string | null;
  name?: string;
  prefix: string;
  environment: Environment;
  status: CredentialStatus;
  revoked: boolean;
  revokedAt: string | null;
  revokeReason: string | null;
  replacedBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

export interface IssuedCredential extends CredentialView {
  /** The plaintext credential: this is the only place it ever appears. */
  key: string;
  /** With a rotation overlap: when the previous credential stops working. */
  previousKeyExpiresAt?: string;
}

const TYPE = { key: 'sk', service: 'svc' } as const;
const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());
const noun = (kind: CredentialKind): string => (kind === 'key' ? 'Key' : 'Service');

export function toCredentialView(row: CredentialRow, now: number): CredentialView {
  const status = statusOf(row, now);
  const view: CredentialView = {
    id: row.id,
    prefix: displayPrefix(TYPE[row.kind], row.environment, row.public_id),
    environment: row.environment,
    status,
    revoked: status === 'revoked',
    revokedAt: iso(row.revoked_at),
    revokeReason: row.revoke_reason,
    replacedBy: row.replaced_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastUsedAt: iso(row.last_used_at),
    ...policyView(row),
  };
  if (row.kind === 'service') view.name = row.name ?? '';
  else view.label = row.label;
  return view;
}

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';

/** The fields an audit entry compares: the view minus what changes on its own. */
function auditable(view: CredentialView): Record<string, unknown> {
  const { lastUsedAt: _l, updatedAt: _u, status: _s, revoked: _r, ...rest } = view;
  return rest;
}

/**
 * The lifecycle of API keys and service identities: both are credentials, told apart by `kind`.
 * Each change is audited in its own transaction and then published on the bus, so every
 * instance drops its cached copy before the response goes out. Each transaction locks the
 * project first and the credential rows after, the order a project deletion follows too.
 */
export class CredentialService {
  constructor(
    private readonly deps: Deps,
    private readonly projects: ProjectService,
  ) {}

  async create(actor: Actor, projectId: string, kind: CredentialKind, input: CreateCredentialInput): Promise<IssuedCredential> {
    const now = this.deps.clock.now();
    const issued = this.deps.generateCredential(TYPE[kind], input.environment ?? 'live');
    const { label, name, environment: _environment, ...policy } = input;
    const row = await this.uniqueName(kind, () =>
      this.deps.db.transaction().execute(async (trx) => {
        await this.projects.lockForChange(trx, actor, projectId);
        const inserted = await insertCredential(trx, {
          project_id: projectId,
          kind,
          environment: issued.environment,
          public_id: issued.publicId,
          digest: this.deps.digest(issued.token),
          label: kind === 'key' ? (label ?? null) : null,
          name: kind === 'service' ? (name ?? null) : null,
          ...policyColumns(policy, now),
        } as Parameters<typeof insertCredential>[1]);
        await recordAudit(trx, {
          projectId,
          actor,
          action: `${kind}.created`,
          targetType: kind,
          targetId: inserted.id,
          changes: diff({}, auditable(toCredentialView(inserted, now))),
        });
        return inserted;
      }),
    );
    // A cached "unknown" for this public id (however unlikely) must not outlive the creation.
    await this.deps.bus.publish([issued.publicId]);
    return { ...toCredentialView(row, now), key: issued.token };
  }

  async list(
    actor: Actor,
    projectId: string,
    kind: CredentialKind,
    filters: CredentialFilters,
    page: PageRequest,
  ): Promise<Page<CredentialView>> {
    await this.projects.require(actor, projectId);
    const now = this.deps.clock.now();
    const result = await listCredentials(this.deps.db, projectId, kind, filters, page, new Date(now));
    const items = await Promise.all(result.items.map((row) => this.withLiveBalance(toCredentialView(row, now), row, now)));
    return { items, next: result.next };
  }

  async get(actor: Actor, projectId: string, kind: CredentialKind, id: string): Promise<CredentialView & { usage: CredentialUsage }> {
    // Buffered usage first, so lastUsedAt and the counts include this instance's latest.
    await this.deps.usage.flush();
    const row = await this.find(actor, projectId, kind, id);
    const now = this.deps.clock.now();
    const view = await this.withLiveBalance(toCredentialView(row, now), row, now);
    return { ...view, usage: await credentialUsage(this.deps.db, row.id, new Date(now)) };
  }

  async usageByDay(actor: Actor, projectId: string, kind: CredentialKind, id: string, days: number) {
    // A heavy read, admitted before anything else (see HeavyReads).
    return this.deps.heavyReads.admit(actor.userId, async (query) => {
      const row = await this.find(actor, projectId, kind, id);
      await this.deps.usage.flush();
      const since = new Date(this.deps.clock.now() - days * 86_400_000);
      return { id: row.id, range: `${days}d`, days: await query((db) => credentialUsageByDay(db, row.id, since)) };
    });
  }

  /** Changes label/name and policy. Disabling or enabling is audited as such. */
  async update(actor: Actor, projectId: string, kind: CredentialKind, id: string, input: UpdateCredentialInput): Promise<CredentialView> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const { label, name, ...policy } = input;
    const { row, publicId } = await this.uniqueName(kind, () =>
      db.transaction().execute(async (trx) => {
        await this.projects.lockForChange(trx, actor, projectId);
        if (!isUuid(id)) throw notFound(noun(kind));
        if (kind === 'key' && name !== undefined) throw new ElyzorError('validation_error', 'API keys have a label, not a name');
        if (kind === 'service' && label !== undefined) throw new ElyzorError('validation_error', 'Services have a name, not a label');
        const before = await lockCredential(trx, projectId, kind, id);
        if (before === undefined) throw notFound(noun(kind));
        if (statusOf(before, now) === 'revoked') throw new ElyzorError('already_revoked', `${noun(kind)} is revoked and can no longer change`);
        const changes = { ...policyColumns(policy, now), ...(label !== undefined ? { label } : {}), ...(name !== undefined ? { name } : {}) };
        const after = Object.keys(changes).length === 0 ? before : await updateCredential(trx, id, changes as Parameters<typeof updateCredential>[2]);
        await this.auditChange(trx, actor, kind, before, after, now);
        return { row: after, publicId: before.public_id };
      }),
    );
    await this.deps.bus.publish([publicId]);
    return toCredentialView(row, now);
  }

  /** Soft revocation: the record stays, listed as revoked; verification refuses it at once. */
  async revoke(actor: Actor, projectId: string, kind: CredentialKind, id: string, reason?: string): Promise<void> {
    const { db, clock } = this.deps;
    const publicId = await db.transaction().execute(async (trx) => {
      await this.projects.lockForChange(trx, actor, projectId);
      if (!isUuid(id)) throw notFound(noun(kind));
      const row = await lockCredential(trx, projectId, kind, id);
      if (row === undefined) throw notFound(noun(kind));
      const now = clock.now();
      if (row.revoked_at !== null && row.revoked_at.getTime() <= now) throw new ElyzorError('already_revoked', `${noun(kind)} is already revoked`);
      await updateCredential(trx, id, { revoked_at: new Date(now), revoke_reason: reason ?? null });
      await recordAudit(trx, {
        projectId,
        actor,
        action: `${kind}.revoked`,
        targetType: kind,
        targetId: id,
        changes: { revokedAt: { before: iso(row.revoked_at), after: new Date(now).toISOString() }, revokeReason: { before: row.revoke_reason, after: reason ?? null } },
      });
      return row.public_id;
    });
    await this.deps.bus.publish([publicId]);
  }

  /**
   * Issues a replacement and retires the old credential: at once (grace 0), or at the end of an
   * overlap during which both work. The new credential carries the old one's settings.
   */
  async rotate(actor: Actor, projectId: string, kind: CredentialKind, id: string, gracePeriodSeconds = 0): Promise<IssuedCredential> {
    const { db, clock, digest } = this.deps;
    const now = clock.now();
    const retireAt = new Date(now + gracePeriodSeconds * 1000);
    const { row, issued, oldPublicId } = await db.transaction().execute(async (trx) => {
      await this.projects.lockForChange(trx, actor, projectId);
      if (!isUuid(id)) throw notFound(noun(kind));
      const old = await lockCredential(trx, projectId, kind, id);
      if (old === undefined) throw notFound(noun(kind));
      if (old.revoked_at !== null) throw new ElyzorError('already_revoked', `${noun(kind)} is revoked or already rotated`);
      const credential = this.deps.generateCredential(TYPE[kind], old.environment);
      // Retire the old one first: for services this frees the name for the replacement.
      await updateCredential(trx, old.id, { revoked_at: retireAt, revoke_reason: 'rotated' });
      const inserted = await insertCredential(trx, {
        project_id: old.project_id,
        kind: old.kind,
        environment: old.environment,
        label: old.label,
        name: old.name,
        enabled: old.enabled,
        expires_at: old.expires_at,
        owner_id: old.owner_id,
        scopes: JSON.stringify(old.scopes),
        resource_scopes: JSON.stringify(old.resource_scopes),
        ip_allowlist: JSON.stringify(old.ip_allowlist),
        ip_denylist: JSON.stringify(old.ip_denylist),
        tags: JSON.stringify(old.tags),
        rate_limit: old.rate_limit === null ? null : JSON.stringify(old.rate_limit),
        quota: old.quota === null ? null : JSON.stringify(old.quota),
        credits: old.credits === null ? null : JSON.stringify(old.credits),
        limit_key: old.limit_key ?? old.id,
        metadata: old.metadata === null ? null : JSON.stringify(old.metadata),
        public_id: credential.publicId,
        digest: digest(credential.token),
      });
      await updateCredential(trx, old.id, { replaced_by: inserted.id });
      await recordAudit(trx, {
        projectId,
        actor,
        action: `${kind}.rotated`,
        targetType: kind,
        targetId: old.id,
        changes: { replacedBy: { before: null, after: inserted.id }, revokedAt: { before: null, after: retireAt.toISOString() } },
      });
      return { row: inserted, issued: credential, oldPublicId: old.public_id };
    });
    await this.deps.bus.publish([oldPublicId, issued.publicId]);
    const result: IssuedCredential = { ...toCredentialView(row, now), key: issued.token };
    if (gracePeriodSeconds > 0) result.previousKeyExpiresAt = retireAt.toISOString();
    return result;
  }

  /** Credits as they stand now (what verifications have spent is in the limiter, not the row). */
  private async withLiveBalance(view: CredentialView, row: CredentialRow, now: number): Promise<CredentialView> {
    const credits = row.credits as CreditsPolicy | null;
    if (credits === null || view.credits === null) return view;
    const window = creditsWindow(credits, now);
    const probe = await this.deps.limiter.consume(
      [{ key: `c:${row.limit_key ?? row.id}:${credits.setAt}`, rule: { type: 'fixed_window', ...window }, cost: 0 }],
      0,
    );
    const remaining = probe.decisions[0]?.remaining ?? credits.remaining;
    return { ...view, credits: { ...view.credits, remaining } };
  }

  private async find(actor: Actor, projectId: string, kind: CredentialKind, id: string): Promise<CredentialRow> {
    await this.projects.require(actor, projectId);
    const row = isUuid(id) ? await getCredential(this.deps.db, projectId, kind, id) : undefined;
    if (row === undefined) throw notFound(noun(kind));
    return row;
  }

  private async auditChange(trx: DB, actor: Actor, kind: CredentialKind, before: CredentialRow, after: CredentialRow, now: number): Promise<void> {
    const changes = diff(auditable(toCredentialView(before, now)), auditable(toCredentialView(after, now)));
    const { enabled, ...rest } = changes;
    const base = { projectId: before.project_id, actor, targetType: kind, targetId: before.id } as const;
    if (enabled !== undefined) {
      await recordAudit(trx, { ...base, action: `${kind}.${after.enabled ? 'enabled' : 'disabled'}`, changes: { enabled } });
    }
    if (Object.keys(rest).length > 0) await recordAudit(trx, { ...base, action: `${kind}.updated`, changes: rest });
  }

  /** A second live service with the same name in a project is a 400, whichever request loses the race. */
  private async uniqueName<T>(kind: CredentialKind, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isUniqueViolation(error) && kind === 'service') {
        throw new ElyzorError('validation_error', 'A service with this name already exists in this project');
      }
      throw error;
    }
  }
}
