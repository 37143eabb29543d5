import { ElyzorError } from '../errors.js';
import type { Role } from './roles.js';

/**
 * A change of one member: a new role (`to`), or removal (`to` null). `by` is the role of the
 * person making it, or `machine` for a root key (which holds `workspace.manage_members`).
 */
export interface MemberChange {
  by: Role | 'machine';
  /** The member's role before the change. */
  from: Role;
  to: Role | null;
  /** The member changes themselves (leaving, or stepping down). */
  self: boolean;
  /** How many owners the workspace has before the change. */
  owners: number;
}

/**
 * The rules of membership, beyond "admins manage members" (which authorization checks first):
 * a workspace always keeps an owner, so the last one can neither leave nor be demoted; making
 * or unmaking an owner is a transfer of ownership, for owners only (a machine never does it);
 * anyone may leave.
 */
export function checkMemberChange(change: MemberChange): void {
  const { by, from, to, self, owners } = change;
  // Who may touch an owner comes first: to anyone else the count of owners is no business.
  const leaving = self && to === null;
  if (!leaving && (from === 'owner' || to === 'owner') && by !== 'owner') {
    throw new ElyzorError('forbidden', 'Only an owner may make, change or remove an owner', { details: { action: 'transfer_ownership' } });
  }
  if (from === 'owner' && to !== 'owner' && owners <= 1) {
    throw new ElyzorError('last_owner', 'The last owner of a workspace cannot leave or be demoted; make another member owner first');
  }
}

/** Inviting someone as `role`: owners are made by owners only. */
export function checkInvitationRole(by: Role | 'machine', role: Role): void {
  if (role === 'owner' && by !== 'owner') throw new ElyzorError('forbidden', 'Only an owner may invite an owner', { details: { action: 'transfer_ownership' } });
}

/** A per-project role for an owner narrows an owner: only owners may do that. */
export function checkProjectRoleChange(by: Role | 'machine', target: Role): void {
  if (target === 'owner' && by !== 'owner') throw new ElyzorError('forbidden', "Only an owner may change an owner's role in a project", { details: { action: 'transfer_ownership' } });
}

export interface InvitationState {
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** An invitation is used once: accepted, revoked or expired, it admits no one. */
export function invitationStatus(invitation: InvitationState, now: number): InvitationStatus {
  if (invitation.acceptedAt !== null) return 'accepted';
  if (invitation.revokedAt !== null) return 'revoked';
  return invitation.expiresAt.getTime() <= now ? 'expired' : 'pending';
}
