import { itemsOf, type Page } from '../pagination.js';
import { segment } from '../path.js';
import type { Transport } from '../transport.js';
import type {
  AuditEvent,
  CreateRootKeyBody,
  Invitation,
  InvitationBody,
  IssuedInvitation,
  IssuedRootKey,
  Member,
  MemberBody,
  PageQuery,
  ProjectMember,
  ProjectMemberBody,
  RootKey,
  Workspace,
  WorkspaceBody,
} from '../types.js';

/*
 * Workspaces, members, invitations and root keys. Every list pages as the API's lists do
 * (`limit`, `cursor`, the `Link` header): `list` gives one page, `pages` and `iterate` walk them.
 */

type PageFilters = Omit<PageQuery, 'cursor'>;

/** `/v1/workspaces` */
export class WorkspacesApi {
  constructor(private readonly transport: Transport) {}

  /** GET /v1/workspaces — the caller's workspaces (a root key: its own), newest first. */
  list(query: PageQuery = {}): Promise<Page<Workspace>> {
    return this.transport.page({ method: 'GET', path: '/v1/workspaces', query, auth: 'session' });
  }

  iterate(filters: PageFilters = {}): AsyncGenerator<Workspace, void, undefined> {
    return itemsOf((cursor) => this.list({ ...filters, cursor }));
  }

  /** POST /v1/workspaces — a team workspace; the caller is its owner. */
  create(body: WorkspaceBody): Promise<Workspace> {
    return this.transport.request({ method: 'POST', path: '/v1/workspaces', body, auth: 'session' });
  }

  /** GET /v1/workspaces/:workspaceId — with the caller's role in it. */
  get(workspaceId: string): Promise<Workspace> {
    return this.transport.request({ method: 'GET', path: `/v1/workspaces/${segment(workspaceId)}`, auth: 'session' });
  }

  /** PATCH /v1/workspaces/:workspaceId — rename (admins). */
  update(workspaceId: string, changes: WorkspaceBody): Promise<Workspace> {
    return this.transport.request({ method: 'PATCH', path: `/v1/workspaces/${segment(workspaceId)}`, body: changes, auth: 'session' });
  }

  /** DELETE /v1/workspaces/:workspaceId — with its projects, credentials, members, invitations and root keys (owners). */
  async delete(workspaceId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/workspaces/${segment(workspaceId)}`, auth: 'session' });
  }

  /** GET /v1/workspaces/:workspaceId/audit — membership, invitations, root keys and every entry of its projects, newest first. */
  audit(workspaceId: string, query: PageQuery = {}): Promise<Page<AuditEvent>> {
    return this.transport.page({ method: 'GET', path: `/v1/workspaces/${segment(workspaceId)}/audit`, query, auth: 'session' });
  }

  /** Every entry of the workspace's audit log, across pages. */
  iterateAudit(workspaceId: string, filters: PageFilters = {}): AsyncGenerator<AuditEvent, void, undefined> {
    return itemsOf((cursor) => this.audit(workspaceId, { ...filters, cursor }));
  }
}

/** A workspace's members, and per-project roles. */
export class MembersApi {
  constructor(private readonly transport: Transport) {}

  /** GET /v1/workspaces/:workspaceId/members */
  list(workspaceId: string, query: PageQuery = {}): Promise<Page<Member>> {
    return this.transport.page({ method: 'GET', path: `/v1/workspaces/${segment(workspaceId)}/members`, query, auth: 'session' });
  }

  iterate(workspaceId: string, filters: PageFilters = {}): AsyncGenerator<Member, void, undefined> {
    return itemsOf((cursor) => this.list(workspaceId, { ...filters, cursor }));
  }

  /** PATCH /v1/workspaces/:workspaceId/members/:userId `{role}` — 409 `last_owner` when it would leave no owner. */
  update(workspaceId: string, userId: string, body: MemberBody): Promise<Member> {
    return this.transport.request({ method: 'PATCH', path: `/v1/workspaces/${segment(workspaceId)}/members/${segment(userId)}`, body, auth: 'session' });
  }

  /** DELETE /v1/workspaces/:workspaceId/members/:userId — remove a member (admins) or leave (your own id). */
  async remove(workspaceId: string, userId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/workspaces/${segment(workspaceId)}/members/${segment(userId)}`, auth: 'session' });
  }

  /** GET /v1/projects/:projectId/members — the members with a per-project role there (admins). */
  projectRoles(projectId: string): Promise<ProjectMember[]> {
    return this.transport.request<ProjectMember[]>({ method: 'GET', path: `/v1/projects/${segment(projectId)}/members`, auth: 'session' });
  }

  /** PUT /v1/projects/:projectId/members/:userId `{role}` — a narrower role on one project (never wider). */
  setProjectRole(projectId: string, userId: string, body: ProjectMemberBody): Promise<ProjectMember> {
    return this.transport.request({ method: 'PUT', path: `/v1/projects/${segment(projectId)}/members/${segment(userId)}`, body, auth: 'session' });
  }

  /** DELETE /v1/projects/:projectId/members/:userId — the workspace role applies again. */
  async removeProjectRole(projectId: string, userId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/projects/${segment(projectId)}/members/${segment(userId)}`, auth: 'session' });
  }
}

/** Invitations by email address. */
export class InvitationsApi {
  constructor(private readonly transport: Transport) {}

  /** POST /v1/workspaces/:workspaceId/invitations — the single-use token is in this answer only. */
  create(workspaceId: string, body: InvitationBody): Promise<IssuedInvitation> {
    return this.transport.request({ method: 'POST', path: `/v1/workspaces/${segment(workspaceId)}/invitations`, body, auth: 'session' });
  }

  /** GET /v1/workspaces/:workspaceId/invitations — newest first, never their tokens. */
  list(workspaceId: string, query: PageQuery = {}): Promise<Page<Invitation>> {
    return this.transport.page({ method: 'GET', path: `/v1/workspaces/${segment(workspaceId)}/invitations`, query, auth: 'session' });
  }

  iterate(workspaceId: string, filters: PageFilters = {}): AsyncGenerator<Invitation, void, undefined> {
    return itemsOf((cursor) => this.list(workspaceId, { ...filters, cursor }));
  }

  /** DELETE /v1/workspaces/:workspaceId/invitations/:invitationId — its token admits no one. */
  async revoke(workspaceId: string, invitationId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/workspaces/${segment(workspaceId)}/invitations/${segment(invitationId)}`, auth: 'session' });
  }

  /** POST /v1/workspaces/:workspaceId/invitations/:invitationId/resend — a new token and expiry; the old token stops working. */
  resend(workspaceId: string, invitationId: string): Promise<IssuedInvitation> {
    return this.transport.request({ method: 'POST', path: `/v1/workspaces/${segment(workspaceId)}/invitations/${segment(invitationId)}/resend`, auth: 'session' });
  }

  /** POST /v1/invitations/accept `{token}` — as the registered user who was invited; answers the workspace joined. */
  accept(token: string): Promise<Workspace> {
    return this.transport.request({ method: 'POST', path: '/v1/invitations/accept', body: { token }, auth: 'session' });
  }
}

/** Root keys (`rk_live_…`): credentials for machines, limited to their permissions. */
export class RootKeysApi {
  constructor(private readonly transport: Transport) {}

  /** POST /v1/workspaces/:workspaceId/root-keys — the plaintext is in this answer only. */
  create(workspaceId: string, body: CreateRootKeyBody): Promise<IssuedRootKey> {
    return this.transport.request({ method: 'POST', path: `/v1/workspaces/${segment(workspaceId)}/root-keys`, body, auth: 'session' });
  }

  /** GET /v1/workspaces/:workspaceId/root-keys — never the secret. */
  list(workspaceId: string, query: PageQuery = {}): Promise<Page<RootKey>> {
    return this.transport.page({ method: 'GET', path: `/v1/workspaces/${segment(workspaceId)}/root-keys`, query, auth: 'session' });
  }

  iterate(workspaceId: string, filters: PageFilters = {}): AsyncGenerator<RootKey, void, undefined> {
    return itemsOf((cursor) => this.list(workspaceId, { ...filters, cursor }));
  }

  /** POST /v1/workspaces/:workspaceId/root-keys/:rootKeyId/rotate — the old secret is refused from the next request on. */
  rotate(workspaceId: string, rootKeyId: string): Promise<IssuedRootKey> {
    return this.transport.request({ method: 'POST', path: `/v1/workspaces/${segment(workspaceId)}/root-keys/${segment(rootKeyId)}/rotate`, auth: 'session' });
  }

  /** DELETE /v1/workspaces/:workspaceId/root-keys/:rootKeyId */
  async revoke(workspaceId: string, rootKeyId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/workspaces/${segment(workspaceId)}/root-keys/${segment(rootKeyId)}`, auth: 'session' });
  }
}
