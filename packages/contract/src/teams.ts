import { Type } from 'typebox';

/** Wire shapes of workspaces, members, invitations and root keys. */

import { PROJECT_ACTIONS, ROOT_KEY_WORKSPACE_ACTIONS, UNKEY_API_ACTIONS, UNKEY_IDENTITY_ACTIONS, UNKEY_RATELIMIT_ACTIONS, UNKEY_RBAC_ACTIONS } from './names.js';

export { PROJECT_ACTIONS, ROOT_KEY_WORKSPACE_ACTIONS, UNKEY_API_ACTIONS, UNKEY_IDENTITY_ACTIONS, UNKEY_RATELIMIT_ACTIONS, UNKEY_RBAC_ACTIONS };

/** What may name a rate-limit namespace in a permission: `*`, or a namespace's id or name. */
export const RATELIMIT_NAMESPACE_PATTERN = '[A-Za-z0-9_:-]{1,255}';

/** The permission grammar, as a pattern (the engine checks the same, and that named projects are the workspace's). */
export const PERMISSION_PATTERN = `^(api\\.(\\*|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\.(${UNKEY_API_ACTIONS.join('|')})|project\\.(\\*|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\.(${PROJECT_ACTIONS.join('|')})|workspace\\.(${ROOT_KEY_WORKSPACE_ACTIONS.join('|')})|identity\\.\\*\\.(${UNKEY_IDENTITY_ACTIONS.join('|')})|ratelimit\\.(\\*|${RATELIMIT_NAMESPACE_PATTERN})\\.(${UNKEY_RATELIMIT_ACTIONS.join('|')})|rbac\\.\\*\\.(${UNKEY_RBAC_ACTIONS.join('|')}))$`;

const Id = Type.String({ description: 'UUID' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('developer'), Type.Literal('viewer')]);
export const ProjectRole = Type.Union([Type.Literal('admin'), Type.Literal('developer'), Type.Literal('viewer')]);

export const Workspace = Type.Object({ id: Id, name: Type.String(), personal: Type.Boolean(), role: Nullable(Role), createdAt: DateTime });
export const WorkspaceParams = Type.Object({ workspaceId: Type.String() });
export const WorkspaceBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

export const Member = Type.Object({ userId: Id, email: Type.String(), role: Role, createdAt: DateTime });
export const MemberParams = Type.Object({ workspaceId: Type.String(), userId: Type.String() });
export const MemberBody = Type.Object({ role: Role }, { additionalProperties: false });

export const ProjectMemberParams = Type.Object({ projectId: Type.String(), userId: Type.String() });
export const ProjectMemberBody = Type.Object({ role: ProjectRole }, { additionalProperties: false });
export const ProjectMember = Type.Object({ projectId: Id, userId: Id, role: ProjectRole, workspaceRole: Role });

export const InvitationStatus = Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]);
export const Invitation = Type.Object({
  id: Id,
  workspaceId: Id,
  email: Type.String(),
  role: Role,
  status: InvitationStatus,
  expiresAt: DateTime,
  createdAt: DateTime,
  acceptedAt: Nullable(DateTime),
});
export const IssuedInvitation = Type.Object({ ...Invitation.properties, token: Type.String({ description: 'Shown once: `inv_…`, for POST /v1/invitations/accept' }) });
export const InvitationParams = Type.Object({ workspaceId: Type.String(), invitationId: Type.String() });
export const InvitationBody = Type.Object({ email: Type.String({ format: 'email', maxLength: 255 }), role: Role }, { additionalProperties: false });
export const AcceptInvitationBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

export const RootKey = Type.Object({
  id: Id,
  workspaceId: Id,
  name: Type.String(),
  prefix: Type.String(),
  permissions: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
  expiresAt: Nullable(DateTime),
  revokedAt: Nullable(DateTime),
  createdAt: DateTime,
});
export const IssuedRootKey = Type.Object({ ...RootKey.properties, key: Type.String({ description: 'Shown once: `rk_live_<publicId>.<secret>`' }) });
export const RootKeyParams = Type.Object({ workspaceId: Type.String(), rootKeyId: Type.String() });
export const RootKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    permissions: Type.Array(Type.String({ maxLength: 100, pattern: PERMISSION_PATTERN }), { maxItems: 100, description: 'e.g. project.*.create_key, project.<id>.read_key, workspace.manage_members' }),
    expiresAt: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
