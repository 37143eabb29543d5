import { segment } from '../path.js';
import type { Transport } from '../transport.js';
import type { CreateRootKeyBody, Invitation, IssuedInvitation, IssuedRootKey, Member, ProjectMember, Role, RootKey, Workspace } from '../types.js';

/*
 * Workspaces, members, invitations and root keys, at the paths of the "Teams and roles, root
 * keys, signed webhooks" endpoint list. Their answers are typed locally until the contract
 * holds their schemas.
 */

const ws = (workspaceId: string): string => `/v1/workspaces/${segment(workspaceId)}`;

/** `/v1/workspaces` */
export class WorkspacesApi {
  constructor(private readonly transport: Transport) {}

  list(): Promise<Workspace[]> {
    return this.transport.request({ method: 'GET', path: '/v1/workspaces', auth: 'session' });
  }

  create(body: { name: string }): Promise<Workspace> {
    return this.transport.request({ method: 'POST', path: '/v1/workspaces', body, auth: 'session' });
  }

  get(workspaceId: string): Promise<Workspace> {
    return this.transport.request({ method: 'GET', path: ws(workspaceId), auth: 'session' });
  }

  update(workspaceId: string, changes: { name?: string }): Promise<Workspace> {
    return this.transport.request({ method: 'PATCH', path: ws(workspaceId), body: changes, auth: 'session' });
  }

  async delete(workspaceId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: ws(workspaceId), auth: 'session' });
  }
}

/** A workspace's members, and per-project roles. */
export class MembersApi {
  constructor(private readonly transport: Transport) {}

  /** GET /v1/workspaces/:workspaceId/members */
  list(workspaceId: string): Promise<Member[]> {
    return this.transport.request({ method: 'GET', path: `${ws(workspaceId)}/members`, auth: 'session' });
  }

  /** PATCH /v1/workspaces/:workspaceId/members/:userId `{role}` */
  update(workspaceId: string, userId: string, body: { role: Role }): Promise<Member> {
    return this.transport.request({ method: 'PATCH', path: `${ws(workspaceId)}/members/${segment(userId)}`, body, auth: 'session' });
  }

  /** DELETE /v1/workspaces/:workspaceId/members/:userId */
  async remove(workspaceId: string, userId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `${ws(workspaceId)}/members/${segment(userId)}`, auth: 'session' });
  }

  /** PUT /v1/projects/:projectId/members/:userId `{role}` — a narrower role on one project. */
  setProjectRole(projectId: string, userId: string, body: { role: Role }): Promise<ProjectMember> {
    return this.transport.request({ method: 'PUT', path: `/v1/projects/${segment(projectId)}/members/${segment(userId)}`, body, auth: 'session' });
  }

  /** DELETE /v1/projects/:projectId/members/:userId */
  async removeProjectRole(projectId: string, userId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/projects/${segment(projectId)}/members/${segment(userId)}`, auth: 'session' });
  }
}

/** Invitations by email address. */
export class InvitationsApi {
  constructor(private readonly transport: Transport) {}

  /** POST /v1/workspaces/:workspaceId/invitations — the single-use token is in this answer only. */
  create(workspaceId: string, body: { email: string; role: Role }): Promise<IssuedInvitation> {
    return this.transport.request({ method: 'POST', path: `${ws(workspaceId)}/invitations`, body, auth: 'session' });
  }

  /** GET /v1/workspaces/:workspaceId/invitations */
  list(workspaceId: string): Promise<Invitation[]> {
    return this.transport.request({ method: 'GET', path: `${ws(workspaceId)}/invitations`, auth: 'session' });
  }

  /** DELETE /v1/workspaces/:workspaceId/invitations/:invitationId */
  async revoke(workspaceId: string, invitationId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `${ws(workspaceId)}/invitations/${segment(invitationId)}`, auth: 'session' });
  }

  /** POST /v1/invitations/accept `{token}` — as the registered user who was invited. */
  accept(token: string): Promise<Member> {
    return this.transport.request({ method: 'POST', path: '/v1/invitations/accept', body: { token }, auth: 'session' });
  }
}

/** Root keys (`rk_live_…`): credentials for machines, limited to their permissions. */
export class RootKeysApi {
  constructor(private readonly transport: Transport) {}

  /** POST /v1/workspaces/:workspaceId/root-keys — the plaintext is in this answer only. */
  create(workspaceId: string, body: CreateRootKeyBody): Promise<IssuedRootKey> {
    return this.transport.request({ method: 'POST', path: `${ws(workspaceId)}/root-keys`, body, auth: 'session' });
  }

  /** GET /v1/workspaces/:workspaceId/root-keys — never the secret. */
  list(workspaceId: string): Promise<RootKey[]> {
    return this.transport.request({ method: 'GET', path: `${ws(workspaceId)}/root-keys`, auth: 'session' });
  }

  /** POST /v1/workspaces/:workspaceId/root-keys/:rootKeyId/rotate */
  rotate(workspaceId: string, rootKeyId: string): Promise<IssuedRootKey> {
    return this.transport.request({ method: 'POST', path: `${ws(workspaceId)}/root-keys/${segment(rootKeyId)}/rotate`, auth: 'session' });
  }

  /** DELETE /v1/workspaces/:workspaceId/root-keys/:rootKeyId */
  async revoke(workspaceId: string, rootKeyId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `${ws(workspaceId)}/root-keys/${segment(rootKeyId)}`, auth: 'session' });
  }
}
