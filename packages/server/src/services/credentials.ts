import { ElyzorError, generateCredential, notFound, displayPrefix, type CredentialKind, type Environment } from '@elyzor/core';
import type { Actor, Deps } from '../deps.js';
import { DEFAULT_PAGE_SIZE, type Page, type PageRequest } from '../store/page.js';
import {
  getCredential,
  insertCredential,
  listCredentials,
  lockCredential,
  updateCredential,
  type CredentialRow,
} from '../store/credentials.js';
import { isUuid, type ProjectService } from './projects.js';

export interface CreateCredentialInput {
  label?: string | undefined;
  name?: string | undefined;
  environment?: Environment | undefined;
}

/** A credential as management responses show it: never the secret, never the digest. */
export interface CredentialView {
  id: string;
  label?: string | null;
  name?: string;
  prefix: string;
  environment: Environment;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface IssuedCredential extends CredentialView {
  /** The plaintext credential: this is the only place it ever appears. */
  key: string;
}

const TYPE = { key: 'sk', service: 'svc' } as const;
const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toCredentialView(row: CredentialRow, now: number): CredentialView {
  const view: CredentialView = {
    id: row.id,
    prefix: displayPrefix(TYPE[row.kind], row.environment, row.public_id),
    environment: row.environment,
    revoked: row.revoked_at !== null && row.revoked_at.getTime() <= now,
    revokedAt: iso(row.revoked_at),
    createdAt: row.created_at.toISOString(),
    lastUsedAt: iso(row.last_used_at),
  };
  if (row.kind === 'service') view.name = row.name ?? '';
  else view.label = row.label;
  return view;
}

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';

/**
 * The lifecycle of API keys and service identities: both are credentials, told apart by `kind`.
 * Every change publishes the credential's public id on the bus, so each instance drops its
 * cached copy before the response goes out.
 */
export class CredentialService {
  constructor(
    private readonly deps: Deps,
    private readonly projects: ProjectService,
  ) {}

  async create(actor: Actor, projectId: string, kind: CredentialKind, input: CreateCredentialInput): Promise<IssuedCredential> {
    await this.projects.require(actor, projectId);
    const issued = generateCredential(TYPE[kind], input.environment ?? 'live');
    let row: CredentialRow;
    try {
      row = await insertCredential(this.deps.db, {
        project_id: projectId,
        kind,
        environment: issued.environment,
        public_id: issued.publicId,
        digest: this.deps.digest(issued.token),
        label: kind === 'key' ? (input.label ?? null) : null,
        name: kind === 'service' ? (input.name ?? null) : null,
      });
    } catch (error) {
      if (isUniqueViolation(error) && kind === 'service') {
        throw new ElyzorError('validation_error', 'A service with this name already exists in this project');
      }
      throw error;
    }
    // A cached "unknown" for this public id (however unlikely) must not outlive the creation.
    await this.deps.bus.publish([issued.publicId]);
    return { ...toCredentialView(row, this.deps.clock.now()), key: issued.token };
  }

  async list(actor: Actor, projectId: string, kind: CredentialKind, page: PageRequest): Promise<Page<CredentialView>> {
    await this.projects.require(actor, projectId);
    const result = await listCredentials(this.deps.db, projectId, kind, { limit: page.limit || DEFAULT_PAGE_SIZE, cursor: page.cursor });
    const now = this.deps.clock.now();
    return { items: result.items.map((row) => toCredentialView(row, now)), next: result.next };
  }

  async get(actor: Actor, projectId: string, kind: CredentialKind, id: string): Promise<CredentialView> {
    await this.projects.require(actor, projectId);
    const row = isUuid(id) ? await getCredential(this.deps.db, projectId, kind, id) : undefined;
    if (row === undefined) throw notFound(kind === 'key' ? 'Key' : 'Service');
    return toCredentialView(row, this.deps.clock.now());
  }

  /** Soft revocation: the record stays, listed as revoked; verification refuses it at once. */
  async revoke(actor: Actor, projectId: string, kind: CredentialKind, id: string, reason?: string): Promise<void> {
    await this.projects.require(actor, projectId);
    const what = kind === 'key' ? 'Key' : 'Service';
    if (!isUuid(id)) throw notFound(what);
    const { db, clock } = this.deps;
    const publicId = await db.transaction().execute(async (trx) => {
      const row = await lockCredential(trx, projectId, kind, id);
      if (row === undefined) throw notFound(what);
      const now = clock.now();
      if (row.revoked_at !== null && row.revoked_at.getTime() <= now) throw new ElyzorError('already_revoked', `${what} is already revoked`);
      await updateCredential(trx, id, { revoked_at: new Date(now), revoke_reason: reason ?? null });
      return row.public_id;
    });
    await this.deps.bus.publish([publicId]);
  }

  /**
   * Issues a replacement and retires the old credential: at once (grace 0), or at the end of an
   * overlap during which both work. The new credential carries the old one's settings.
   */
  async rotate(actor: Actor, projectId: string, kind: CredentialKind, id: string, gracePeriodSeconds = 0): Promise<IssuedCredential> {
    await this.projects.require(actor, projectId);
    const what = kind === 'key' ? 'Key' : 'Service';
    if (!isUuid(id)) throw notFound(what);
    const { db, clock, digest } = this.deps;
    const now = clock.now();
    const { row, issued, oldPublicId } = await db.transaction().execute(async (trx) => {
      const old = await lockCredential(trx, projectId, kind, id);
      if (old === undefined) throw notFound(what);
      if (old.revoked_at !== null) throw new ElyzorError('already_revoked', `${what} is revoked or already rotated`);
      const credential = generateCredential(TYPE[kind], old.environment);
      // Retire the old one first: for services this frees the name for the replacement.
      await updateCredential(trx, old.id, { revoked_at: new Date(now + gracePeriodSeconds * 1000), revoke_reason: 'rotated' });
      const {
        id: _id,
        public_id: _publicId,
        digest: _digest,
        created_at: _createdAt,
        updated_at: _updatedAt,
        last_used_at: _lastUsedAt,
        revoked_at: _revokedAt,
        revoke_reason: _reason,
        replaced_by: _replacedBy,
        ...settings
      } = old;
      const inserted = await insertCredential(trx, {
        ...settings,
        scopes: JSON.stringify(settings.scopes),
        resource_scopes: JSON.stringify(settings.resource_scopes),
        ip_allowlist: JSON.stringify(settings.ip_allowlist),
        ip_denylist: JSON.stringify(settings.ip_denylist),
        tags: JSON.stringify(settings.tags),
        rate_limit: settings.rate_limit === null ? null : JSON.stringify(settings.rate_limit),
        quota: settings.quota === null ? null : JSON.stringify(settings.quota),
        metadata: settings.metadata === null ? null : JSON.stringify(settings.metadata),
        public_id: credential.publicId,
        digest: digest(credential.token),
      });
      await updateCredential(trx, old.id, { replaced_by: inserted.id });
      return { row: inserted, issued: credential, oldPublicId: old.public_id };
    });
    await this.deps.bus.publish([oldPublicId, issued.publicId]);
    const result: IssuedCredential = { ...toCredentialView(row, now), key: issued.token };
    if (gracePeriodSeconds > 0) (result as IssuedCredential & { previousKeyExpiresAt: string }).previousKeyExpiresAt = new Date(now + gracePeriodSeconds * 1000).toISOString();
    return result;
  }
}
