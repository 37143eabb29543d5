import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../credentials/context.js';
import { PROJECT_ACTION_ROLE, PROJECT_ACTIONS, WORKSPACE_ACTIONS, credentialAction } from './actions.js';
import { decideProject, decideWorkspace } from './decide.js';
import { checkInvitationRole, checkMemberChange, checkProjectRoleChange, invitationStatus } from './membership.js';
import { allowsProjectAction, allowsRbacAction, invalidPermissions, isPermission } from './permissions.js';
import { effectiveRole, ROLES, type Role } from './roles.js';

const user: Actor = { type: 'user', userId: randomUUID() };
const workspaceId = randomUUID();
const projectId = randomUUID();
const project = (role: Role | null) => ({ id: projectId, workspaceId, role });
const rootKey = (permissions: string[], inWorkspace = workspaceId): Actor => ({ type: 'root_key', rootKeyId: randomUUID(), workspaceId: inWorkspace, permissions });

describe('roles', () => {
  it('a per-project role narrows the workspace role and never widens it', () => {
    expect(effectiveRole('admin', 'viewer')).toBe('viewer');
    expect(effectiveRole('viewer', 'admin')).toBe('viewer');
    expect(effectiveRole('owner', null)).toBe('owner');
    expect(effectiveRole(null, 'admin')).toBeNull();
  });
});

describe('decideProject', () => {
  it('viewers read, developers change credentials, admins delete projects and manage members and webhooks', () => {
    const table = Object.fromEntries(ROLES.map((role) => [role, PROJECT_ACTIONS.filter((action) => decideProject(user, project(role), action) === 'allow')]));
    expect(table.viewer).toEqual(['read_key', 'read_service', 'read_analytics', 'read_audit']);
    expect(table.developer).toEqual(PROJECT_ACTIONS.filter((a) => a !== 'update_project' && a !== 'delete_project' && a !== 'manage_members' && a !== 'manage_webhooks'));
    expect(table.admin).toEqual([...PROJECT_ACTIONS]);
    expect(table.owner).toEqual([...PROJECT_ACTIONS]);
  });

  it('a member with too small a role is forbidden; a non-member does not see the project', () => {
    expect(decideProject(user, project('viewer'), 'create_key')).toBe('forbidden');
    for (const action of PROJECT_ACTIONS) expect(decideProject(user, project(null), action)).toBe('not_found');
  });

  it('a root key does exactly what its permissions name, in its own workspace only', () => {
    for (const action of PROJECT_ACTIONS) {
      const only = rootKey([`project.${projectId}.${action}`]);
      const everywhere = rootKey([`project.*.${action}`]);
      for (const other of PROJECT_ACTIONS) {
        const expected = other === action ? 'allow' : 'forbidden';
        expect(decideProject(only, project(null), other), `${action} → ${other}`).toBe(expected);
        expect(decideProject(everywhere, project(null), other)).toBe(expected);
      }
      expect(decideProject(rootKey([`project.${randomUUID()}.${action}`]), project(null), action)).toBe('forbidden');
      expect(decideProject(rootKey([`project.*.${action}`], randomUUID()), project(null), action)).toBe('not_found');
    }
  });

  it('services reach no project; Elyzor itself and the CLI reach every one', () => {
    expect(decideProject({ type: 'service', serviceId: randomUUID(), projectId }, project(null), 'read_key')).toBe('not_found');
    expect(decideProject({ type: 'cli', name: 'op' }, project(null), 'delete_project')).toBe('allow');
  });

  it('names credential actions by verb and kind', () => {
    expect(credentialAction('rotate', 'service')).toBe('rotate_service');
    expect(PROJECT_ACTION_ROLE[credentialAction('create', 'key')]).toBe('developer');
  });
});

describe('decideWorkspace', () => {
  it('owners alone delete and transfer; admins manage; viewers read', () => {
    const workspace = (role: Role | null) => ({ id: workspaceId, role });
    const allowed = (role: Role) => WORKSPACE_ACTIONS.filter((a) => decideWorkspace(user, workspace(role), a) === 'allow');
    expect(allowed('viewer')).toEqual(['read']);
    expect(allowed('developer')).toEqual(['read']);
    expect(allowed('admin')).toEqual(['read', 'update', 'create_project', 'manage_members', 'manage_root_keys']);
    expect(allowed('owner')).toEqual([...WORKSPACE_ACTIONS]);
    expect(decideWorkspace(user, workspace(null), 'read')).toBe('not_found');
  });

  it('a root key never manages root keys, deletes or transfers a workspace, whatever it lists', () => {
    const everything = rootKey(['workspace.read', 'workspace.update', 'workspace.create_project', 'workspace.manage_members', 'workspace.manage_root_keys', 'workspace.delete']);
    const w = { id: workspaceId, role: null };
    expect(WORKSPACE_ACTIONS.filter((a) => decideWorkspace(everything, w, a) === 'allow')).toEqual(['read', 'update', 'create_project', 'manage_members']);
  });
});

describe('permissions', () => {
  it('accepts the documented grammar and refuses anything else', () => {
    for (const p of ['project.*.create_key', `project.${projectId}.read_key`, 'project.*.read_analytics', 'workspace.manage_members']) expect(isPermission(p), p).toBe(true);
    expect(invalidPermissions(['project.*.delete_everything', 'project.abc.read_key', 'workspace.delete', 'workspace.manage_root_keys', 'project.*', '*', 'project.*.read_key.x'])).toHaveLength(7);
  });

  it("accepts Unkey's rbac.*.<action> and api.*.read_analytics, on every resource only", () => {
    for (const p of ['rbac.*.create_permission', 'rbac.*.add_role_to_key', 'api.*.read_analytics', `api.${projectId}.read_analytics`]) expect(isPermission(p), p).toBe(true);
    expect(invalidPermissions(['rbac.*.drop_everything', `rbac.${projectId}.create_role`, 'rbac.*', 'rbac.*.create_role.x'])).toHaveLength(4);
    expect(allowsRbacAction(['rbac.*.create_role'], 'create_role')).toBe(true);
    expect(allowsRbacAction(['rbac.*.create_role'], 'delete_role')).toBe(false);
  });

  it("maps Unkey's api.<id>.update_api to renaming the project, and nothing else", () => {
    expect(allowsProjectAction([`api.${projectId}.update_api`], projectId, 'update_project')).toBe(true);
    expect(allowsProjectAction(['api.*.update_api'], projectId, 'update_project')).toBe(true);
    expect(allowsProjectAction([`api.${projectId}.update_api`], projectId, 'delete_project')).toBe(false);
    expect(allowsProjectAction([`api.${randomUUID()}.update_api`], projectId, 'update_project')).toBe(false);
  });

  it('compares project ids as UUIDs (case-insensitively)', () => {
    expect(allowsProjectAction([`project.${projectId.toUpperCase()}.read_key`], projectId, 'read_key')).toBe(true);
  });
});

describe('membership rules', () => {
  it('the last owner can neither leave nor be demoted', () => {
    expect(() => checkMemberChange({ by: 'owner', from: 'owner', to: null, self: true, owners: 1 })).toThrow(expect.objectContaining({ code: 'last_owner' }));
    expect(() => checkMemberChange({ by: 'owner', from: 'owner', to: 'admin', self: true, owners: 1 })).toThrow(expect.objectContaining({ code: 'last_owner' }));
    expect(() => checkMemberChange({ by: 'owner', from: 'owner', to: null, self: true, owners: 2 })).not.toThrow();
  });

  it('owners are made and unmade by owners only; anyone may leave', () => {
    expect(() => checkMemberChange({ by: 'admin', from: 'developer', to: 'owner', self: false, owners: 1 })).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => checkMemberChange({ by: 'admin', from: 'owner', to: null, self: false, owners: 2 })).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => checkMemberChange({ by: 'machine', from: 'viewer', to: 'owner', self: false, owners: 1 })).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => checkMemberChange({ by: 'owner', from: 'developer', to: 'owner', self: false, owners: 1 })).not.toThrow();
    expect(() => checkMemberChange({ by: 'viewer', from: 'viewer', to: null, self: true, owners: 1 })).not.toThrow();
    expect(() => checkInvitationRole('admin', 'owner')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => checkProjectRoleChange('admin', 'owner')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('an invitation admits once, until it expires or is revoked', () => {
    const at = new Date(1_000_000);
    expect(invitationStatus({ expiresAt: at, acceptedAt: null, revokedAt: null }, 999_999)).toBe('pending');
    expect(invitationStatus({ expiresAt: at, acceptedAt: null, revokedAt: null }, 1_000_000)).toBe('expired');
    expect(invitationStatus({ expiresAt: at, acceptedAt: new Date(0), revokedAt: null }, 0)).toBe('accepted');
    expect(invitationStatus({ expiresAt: at, acceptedAt: null, revokedAt: new Date(0) }, 0)).toBe('revoked');
  });
});
