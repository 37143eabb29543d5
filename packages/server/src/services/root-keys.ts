import { timingSafeEqual } from 'node:crypto';
import { ElyzorError, generateCredential, invalidPermissions, isStorableDate, isUuid, MAX_PERMISSIONS, notFound, parseCredential, validationError, type Actor, type Ctx } from '@elyzor/core';
import type { DB } from '../db/database.js';
import type { Deps } from '../deps.js';
import type { Page, PageRequest } from '../store/page.js';
import { findRootKey, insertRootKey, listRootKeys, rootKeyByPublicId, updateRootKey, type RootKeyRow } from '../store/root-keys.js';
import { auditWorkspace, personOf, reachWorkspace } from './workspace-access.js';

export interface RootKeyView {
  id: string;
  workspaceId: string;
  name: string;
  /** `rk_live_<publicId>`: enough to recognise it, never the secret. */
  prefix: string;
  permissions: string[];
  status: 'active' | 'revoked' | 'expired';
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface IssuedRootKey extends RootKeyView {
  /** Shown once, at creation and rotation. */
  key: string;
}

export interface NewRootKey {
  name: string;
  permissions: string[];
  expiresAt?: string | undefined;
}

const unauthorized = (): ElyzorError => new ElyzorError('unauthorized', 'Missing, invalid or expired access token');

/**
 * Root keys: machines' credentials for the management API, made by a workspace's admins and
 * limited to their permissions (`@elyzor/core`'s grammar). Stored as credentials are — a digest
 * of the whole string, found by its public id — and, once authenticated, served from each
 * instance's cache; every change publishes on the invalidation bus, so a revocation, a rotation
 * or an expiry refuses the very next request on every instance.
 */
export class RootKeyService {
  constructor(private readonly deps: Deps) {}

  private view(row: RootKeyRow): RootKeyView {
    const now = this.deps.clock.now();
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      name: row.name,
      prefix: `rk_live_${row.public_id}`,
      permissions: row.permissions,
      status: row.revoked_at !== null ? 'revoked' : row.expires_at !== null && row.expires_at.getTime() <= now ? 'expired' : 'active',
      expiresAt: row.expires_at?.toISOString() ?? null,
      revokedAt: row.revoked_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    };
  }

  /**
   * The actor of a presented `rk_live_…` string, or 401: malformed, unknown, wrong secret, revoked
   * or expired alike. A key that authenticated is kept in this instance's `rootKeyCache` by the
   * string's digest; revocation, rotation and workspace deletion drop it on every instance (the
   * bus), and its expiry is checked on every request.
   */
  async authenticate(token: string): Promise<Actor> {
    const parsed = parseCredential(token);
    if (parsed === null || parsed.type !== 'rk' || parsed.environment !== 'live') throw unauthorized();
    const digest = this.deps.digest(token);
    const cache = this.deps.rootKeyCache;
    // A cached copy is trusted only once invalidations peers published before this request are handled.
    const catchUp = cache.size > 0 ? this.deps.bus.caughtUp() : null;
    const cached = catchUp === null || (await catchUp) ? cache.get(digest) : undefined;
    if (cached !== undefined) {
      if (cached.keyExpiresAt !== null && cached.keyExpiresAt <= this.deps.clock.now()) throw unauthorized();
      return cached.actor;
    }
    const startedAt = cache.invalidationCount;
    const row = await rootKeyByPublicId(this.deps.db, parsed.publicId);
    const presented = Buffer.from(digest);
    if (row === undefined || row.digest.length !== presented.length || !timingSafeEqual(Buffer.from(row.digest), presented)) throw unauthorized();
    if (this.view(row).status !== 'active') throw unauthorized();
    const actor = { type: 'root_key' as const, rootKeyId: row.id, workspaceId: row.workspace_id, permissions: row.permissions };
    cache.remember(digest, { actor, publicId: row.public_id, keyExpiresAt: row.expires_at?.getTime() ?? null }, startedAt);
    return actor;
  }

  async create(ctx: Ctx, workspaceId: string, input: NewRootKey): Promise<IssuedRootKey> {
    const issued = generateCredential('rk');
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const workspace = await reachWorkspace(trx, ctx, workspaceId, 'manage_root_keys', 'key share');
      const permissions = await this.validPermissions(trx, workspace.id, input.permissions);
      const expiresAt = this.expiry(input.expiresAt);
      const inserted = await insertRootKey(trx, { workspaceId: workspace.id, name: input.name, publicId: issued.publicId, digest: this.deps.digest(issued.token), permissions, expiresAt, createdBy: personOf(ctx) });
      await auditWorkspace(trx, ctx, this.deps.clock, {
        workspaceId: workspace.id,
        action: 'root_key.created',
        targetType: 'root_key',
        targetId: inserted.id,
        changes: { name: { before: null, after: input.name }, permissions: { before: null, after: permissions }, expiresAt: { before: null, after: expiresAt?.toISOString() ?? null } },
      });
      return inserted;
    });
    return { ...this.view(row), key: issued.token };
  }

  async list(ctx: Ctx, workspaceId: string, page: PageRequest): Promise<Page<RootKeyView>> {
    const workspace = await reachWorkspace(this.deps.db, ctx, workspaceId, 'manage_root_keys');
    const result = await listRootKeys(this.deps.db, workspace.id, page);
    return { items: result.items.map((row) => this.view(row)), next: result.next };
  }

  /** A new secret (and public id) for the same root key; the old string is refused from the next request on. */
  async rotate(ctx: Ctx, workspaceId: string, rootKeyId: string): Promise<IssuedRootKey> {
    const issued = generateCredential('rk');
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const { key, workspace } = await this.locked(trx, ctx, workspaceId, rootKeyId);
      if (this.view(key).status === 'revoked') throw new ElyzorError('already_revoked', 'Root key is revoked');
      const updated = await updateRootKey(trx, key.id, { public_id: issued.publicId, digest: this.deps.digest(issued.token), updated_at: new Date(this.deps.clock.now()) });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'root_key.rotated', targetType: 'root_key', targetId: key.id, changes: { prefix: { before: `rk_live_${key.public_id}`, after: `rk_live_${issued.publicId}` } } });
      return { updated, oldPublicId: key.public_id };
    });
    // Every instance drops the old string's cached copy before this answer is sent.
    await this.deps.bus.publish([row.oldPublicId]);
    return { ...this.view(row.updated), key: issued.token };
  }

  async revoke(ctx: Ctx, workspaceId: string, rootKeyId: string): Promise<void> {
    const publicId = await this.deps.db.transaction().execute(async (trx) => {
      const { key, workspace } = await this.locked(trx, ctx, workspaceId, rootKeyId);
      if (key.revoked_at !== null) throw new ElyzorError('already_revoked', 'Root key is already revoked');
      const revokedAt = new Date(this.deps.clock.now());
      await updateRootKey(trx, key.id, { revoked_at: revokedAt, updated_at: revokedAt });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'root_key.revoked', targetType: 'root_key', targetId: key.id, changes: { revokedAt: { before: null, after: revokedAt.toISOString() } } });
      return key.public_id;
    });
    // Every instance drops its cached copy before this answer is sent.
    await this.deps.bus.publish([publicId]);
  }

  private async locked(trx: DB, ctx: Ctx, workspaceId: string, rootKeyId: string): Promise<{ key: RootKeyRow; workspace: { id: string } }> {
    const workspace = await reachWorkspace(trx, ctx, workspaceId, 'manage_root_keys', 'key share');
    const key = isUuid(rootKeyId) ? await findRootKey(trx, workspace.id, rootKeyId) : undefined;
    if (key === undefined) throw notFound('Root key');
    return { key, workspace };
  }

  /** Known permissions only, without repeats, naming only projects of this workspace. */
  private async validPermissions(trx: DB, workspaceId: string, permissions: string[]): Promise<string[]> {
    const unique = [...new Set(permissions)];
    if (unique.length > MAX_PERMISSIONS) throw validationError(`A root key holds at most ${MAX_PERMISSIONS} permissions`);
    const invalid = invalidPermissions(unique);
    if (invalid.length > 0) throw validationError('Unknown permissions (see docs/api.md for the list)', { invalid });
    const named = [...new Set(unique.map((p) => p.split('.')).filter((parts) => (parts[0] === 'project' || parts[0] === 'api') && parts[1] !== '*').map((parts) => (parts[1] ?? '').toLowerCase()))];
    if (named.length > 0) {
      const found = await trx.selectFrom('projects').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', named).execute();
      const missing = named.filter((id) => !found.some((row) => row.id === id));
      if (missing.length > 0) throw validationError('Permissions name projects that are not in this workspace', { projects: missing });
    }
    return unique;
  }

  private expiry(text: string | undefined): Date | null {
    if (text === undefined) return null;
    const date = new Date(text);
    if (!isStorableDate(date)) throw validationError('expiresAt is not a valid date');
    if (date.getTime() <= this.deps.clock.now()) throw validationError('expiresAt must be in the future');
    return date;
  }
}
