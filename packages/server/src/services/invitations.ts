import { checkInvitationRole, ElyzorError, invitationStatus, isUuid, notFound, randomBase62, type Ctx, type InvitationStatus, type Role } from '@elyzor/core';
import type { DB } from '../db/database.js';
import type { Deps } from '../deps.js';
import type { Page, PageRequest } from '../store/page.js';
import { findInvitation, findWorkspace, insertInvitation, invitationByDigest, listInvitations, memberRole, putMember, updateInvitation, type InvitationRow } from '../store/workspaces.js';
import { toWorkspaceView, type WorkspaceView } from './workspaces.js';
import { announceMember } from './member-events.js';
import { auditWorkspace, changedBy, personOf, reachWorkspace } from './workspace-access.js';

/** `inv_` and 43 base62 characters (> 256 bits from the CSPRNG); stored only as its digest. */
export const INVITATION_TOKEN = /^inv_[0-9A-Za-z]{43}$/;

export interface InvitationView {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  expiresAt: string;
  createdAt: string;
  acceptedAt: string | null;
}

export interface IssuedInvitation extends InvitationView {
  /** Shown once: the invitee presents it to `POST /v1/invitations/accept` (or to register). */
  token: string;
}

/** Gone, used, revoked, expired or someone else's: one answer, so a token reveals nothing. */
const invalidInvitation = (): ElyzorError => notFound('Invitation');

/**
 * Invitations by email address: a single-use, expiring token that a registered user with that
 * address accepts (or presents when registering, under `SIGNUP=invite`). No mail server is needed:
 * the token is in the answer, and `INVITATION_HOOK_URL`, when set, receives it to send on.
 */
export class InvitationService {
  constructor(
    private readonly deps: Deps,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  private view(row: InvitationRow): InvitationView {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      email: row.email,
      role: row.role,
      status: invitationStatus({ expiresAt: row.expires_at, acceptedAt: row.accepted_at, revokedAt: row.revoked_at }, this.deps.clock.now()),
      expiresAt: row.expires_at.toISOString(),
      createdAt: row.created_at.toISOString(),
      acceptedAt: row.accepted_at?.toISOString() ?? null,
    };
  }

  private newToken(): { token: string; digest: string; expiresAt: Date } {
    const token = `inv_${randomBase62(43)}`;
    return { token, digest: this.deps.digest(token), expiresAt: new Date(this.deps.clock.now() + this.deps.config.invitationTtlSeconds * 1000) };
  }

  async create(ctx: Ctx, workspaceId: string, email: string, role: Role): Promise<IssuedInvitation> {
    const issued = this.newToken();
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const workspace = await reachWorkspace(trx, ctx, workspaceId, 'manage_members', 'key share');
      checkInvitationRole(changedBy(ctx, workspace.role), role);
      const inserted = await insertInvitation(trx, { workspaceId: workspace.id, email: email.toLowerCase(), role, tokenDigest: issued.digest, invitedBy: personOf(ctx), expiresAt: issued.expiresAt });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'invitation.created', targetType: 'invitation', targetId: inserted.id, changes: { email: { before: null, after: inserted.email }, role: { before: null, after: role } } });
      return inserted;
    });
    await this.announce(row, issued.token);
    return { ...this.view(row), token: issued.token };
  }

  async list(ctx: Ctx, workspaceId: string, page: PageRequest): Promise<Page<InvitationView>> {
    const workspace = await reachWorkspace(this.deps.db, ctx, workspaceId, 'manage_members');
    const result = await listInvitations(this.deps.db, workspace.id, page);
    return { items: result.items.map((row) => this.view(row)), next: result.next };
  }

  async revoke(ctx: Ctx, workspaceId: string, invitationId: string): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const { invitation, workspace } = await this.locked(trx, ctx, workspaceId, invitationId);
      const status = this.view(invitation).status;
      if (status === 'revoked') throw new ElyzorError('already_revoked', 'Invitation is already revoked');
      if (status === 'accepted') throw new ElyzorError('validation_error', 'Invitation was already accepted; remove the member instead');
      await updateInvitation(trx, invitation.id, { revoked_at: new Date(this.deps.clock.now()) });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'invitation.revoked', targetType: 'invitation', targetId: invitation.id, changes: { status: { before: status, after: 'revoked' } } });
    });
  }

  /** A new token and expiry for a pending or expired invitation; the old token stops working. */
  async resend(ctx: Ctx, workspaceId: string, invitationId: string): Promise<IssuedInvitation> {
    const issued = this.newToken();
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const { invitation, workspace } = await this.locked(trx, ctx, workspaceId, invitationId);
      const status = this.view(invitation).status;
      if (status === 'revoked' || status === 'accepted') throw new ElyzorError('validation_error', `Invitation is ${status}; create a new one`);
      const updated = await updateInvitation(trx, invitation.id, { token_digest: issued.digest, expires_at: issued.expiresAt });
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: workspace.id, action: 'invitation.resent', targetType: 'invitation', targetId: invitation.id, changes: { expiresAt: { before: invitation.expires_at.toISOString(), after: issued.expiresAt.toISOString() } } });
      return updated;
    });
    await this.announce(row, issued.token);
    return { ...this.view(row), token: issued.token };
  }

  /** The caller joins the workspace with the invited role; the token is spent. */
  async accept(ctx: Ctx, token: string): Promise<WorkspaceView> {
    const userId = personOf(ctx);
    if (userId === null) throw new ElyzorError('forbidden', 'Only a person can accept an invitation', { details: { action: 'accept_invitation' } });
    return this.deps.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
      const { workspaceId, role } = await this.spend(trx, ctx, token, user.email, userId);
      const workspace = await findWorkspace(trx, workspaceId, userId);
      if (workspace === undefined) throw invalidInvitation();
      return toWorkspaceView({ ...workspace, role: workspace.role ?? role });
    });
  }

  /**
   * Spends a live invitation of `email` inside the caller's transaction and makes `userId` a
   * member (keeping a role they already have). The row is locked: of two acceptances of one
   * token, one wins and the other finds it accepted.
   */
  async spend(trx: DB, ctx: Ctx, token: string, email: string, userId: string): Promise<{ workspaceId: string; role: Role }> {
    if (!INVITATION_TOKEN.test(token)) throw invalidInvitation();
    const invitation = await invitationByDigest(trx, this.deps.digest(token));
    if (invitation === undefined || invitation.email !== email.toLowerCase() || this.view(invitation).status !== 'pending') throw invalidInvitation();
    const now = new Date(this.deps.clock.now());
    await updateInvitation(trx, invitation.id, { accepted_at: now, accepted_by: userId });
    const existing = await memberRole(trx, invitation.workspace_id, userId);
    if (existing === undefined) {
      await putMember(trx, invitation.workspace_id, userId, invitation.role);
      await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: invitation.workspace_id, action: 'member.added', targetType: 'member', targetId: userId, changes: { role: { before: null, after: invitation.role } } });
      await announceMember(trx, ctx, now, { type: 'member.added', workspaceId: invitation.workspace_id, userId, role: invitation.role, previousRole: null });
    }
    await auditWorkspace(trx, ctx, this.deps.clock, { workspaceId: invitation.workspace_id, action: 'invitation.accepted', targetType: 'invitation', targetId: invitation.id, changes: { status: { before: 'pending', after: 'accepted' } } });
    return { workspaceId: invitation.workspace_id, role: existing ?? invitation.role };
  }

  /** Whether `token` is a live invitation of `email` (for `SIGNUP=invite`), read without spending it. */
  async isLive(trx: DB, token: string, email: string): Promise<boolean> {
    if (!INVITATION_TOKEN.test(token)) return false;
    const row = await trx.selectFrom('invitations').selectAll().where('token_digest', '=', this.deps.digest(token)).executeTakeFirst();
    return row !== undefined && row.email === email.toLowerCase() && this.view(row).status === 'pending';
  }

  private async locked(trx: DB, ctx: Ctx, workspaceId: string, invitationId: string): Promise<{ invitation: InvitationRow; workspace: { id: string } }> {
    const workspace = await reachWorkspace(trx, ctx, workspaceId, 'manage_members', 'key share');
    const invitation = isUuid(invitationId) ? await findInvitation(trx, workspace.id, invitationId) : undefined;
    if (invitation === undefined) throw notFound('Invitation');
    return { invitation, workspace };
  }

  /** The optional outbound-mail hook: best effort, after the commit; a failure is logged, never the caller's. */
  private async announce(row: InvitationRow, token: string): Promise<void> {
    const url = this.deps.config.invitationHookUrl;
    if (url === undefined) return;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'invitation', email: row.email, role: row.role, workspaceId: row.workspace_id, invitationId: row.id, token, expiresAt: row.expires_at.toISOString() }),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) this.log.warn({ status: response.status, invitationId: row.id }, 'invitation hook refused the invitation');
    } catch (error) {
      this.log.warn({ err: error, invitationId: row.id }, 'invitation hook unreachable');
    }
  }
}
