import { randomUUID } from 'node:crypto';
import { PROJECT_ACTION_ROLE, PROJECT_ACTIONS, ROOT_KEY_WORKSPACE_ACTIONS, WORKSPACE_ACTION_ROLE, atLeast, type ProjectAction, type Role, type WorkspaceAction } from '@elyzor/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, startApp, type TestApp } from './helpers/harness.js';
import { discoverRoutes, fillPath, validValue, type RouteInfo } from './helpers/routes.js';
import { buildTeam, createProjectIn, createRootKey, createWorkspace, join, registerPeople, type People, type Team } from './helpers/teams.js';

/**
 * The role matrix: every management route (read from the app, as the authorization matrix
 * does) × every kind of caller — owner, admin, developer, viewer, a non-member, a root key with
 * exactly the permission the route needs, one with every other permission, and one of another
 * workspace — answers as the "Teams and roles" table of docs/api.md says: 2xx, 403 `forbidden` (a
 * visible object, too small a role or no permission) or 404 `not_found` (out of reach).
 */

const routes: RouteInfo[] = await (async () => {
  const probe = await startApp({ logLevel: 'silent' });
  try {
    return await discoverRoutes(probe.app);
  } finally {
    await probe.close();
  }
})();

const PUBLIC = [/^\/v1\/auth\/(register|login|refresh)$/, /^\/v1\/health$/, /^\/v1\/verify(\/|$)/];
const management = routes.filter((r) => r.path.startsWith('/v1/') && !PUBLIC.some((p) => p.test(r.path)));
const nameOf = (route: RouteInfo): string => `${route.method} ${route.path}`;

type Need = { on: 'project'; action: ProjectAction } | { on: 'workspace'; action: WorkspaceAction } | { on: 'person' } | { on: 'anyone' };

const project = (action: ProjectAction): Need => ({ on: 'project', action });
const workspace = (action: WorkspaceAction): Need => ({ on: 'workspace', action });

/** What each route needs: the README's table, route by route. A route missing here fails the first test. */
const NEEDS: Record<string, Need> = {
  'GET /v1/auth/me': { on: 'person' },
  'POST /v1/auth/logout': { on: 'person' },
  'POST /v1/auth/logout-all': { on: 'person' },
  'GET /v1/projects': { on: 'anyone' },
  'POST /v1/projects': workspace('create_project'),
  'PATCH /v1/projects/:projectId': project('update_project'),
  'DELETE /v1/projects/:projectId': project('delete_project'),
  'POST /v1/projects/:projectId/keys': project('create_key'),
  'GET /v1/projects/:projectId/keys': project('read_key'),
  'GET /v1/projects/:projectId/keys/:keyId': project('read_key'),
  'PATCH /v1/projects/:projectId/keys/:keyId': project('update_key'),
  'DELETE /v1/projects/:projectId/keys/:keyId': project('revoke_key'),
  'POST /v1/projects/:projectId/keys/:keyId/rotate': project('rotate_key'),
  'GET /v1/projects/:projectId/keys/:keyId/usage': project('read_analytics'),
  'POST /v1/projects/:projectId/services': project('create_service'),
  'GET /v1/projects/:projectId/services': project('read_service'),
  'GET /v1/projects/:projectId/services/:serviceId': project('read_service'),
  'PATCH /v1/projects/:projectId/services/:serviceId': project('update_service'),
  'DELETE /v1/projects/:projectId/services/:serviceId': project('revoke_service'),
  'POST /v1/projects/:projectId/services/:serviceId/rotate': project('rotate_service'),
  'GET /v1/projects/:projectId/services/:serviceId/usage': project('read_analytics'),
  'GET /v1/projects/:projectId/stats': project('read_analytics'),
  'GET /v1/projects/:projectId/audit': project('read_audit'),
  'GET /v1/projects/:projectId/members': project('manage_members'),
  'PUT /v1/projects/:projectId/members/:userId': project('manage_members'),
  'DELETE /v1/projects/:projectId/members/:userId': project('manage_members'),
  'POST /v1/projects/:projectId/webhooks': project('manage_webhooks'),
  'GET /v1/projects/:projectId/webhooks': project('manage_webhooks'),
  'GET /v1/projects/:projectId/webhooks/:webhookId': project('manage_webhooks'),
  'PATCH /v1/projects/:projectId/webhooks/:webhookId': project('manage_webhooks'),
  'DELETE /v1/projects/:projectId/webhooks/:webhookId': project('manage_webhooks'),
  'POST /v1/projects/:projectId/webhooks/:webhookId/rotate-secret': project('manage_webhooks'),
  'POST /v1/projects/:projectId/webhooks/:webhookId/test': project('manage_webhooks'),
  'GET /v1/projects/:projectId/webhooks/:webhookId/deliveries': project('manage_webhooks'),
  'POST /v1/projects/:projectId/webhooks/:webhookId/deliveries/:deliveryId/redeliver': project('manage_webhooks'),
  'GET /v1/workspaces': { on: 'anyone' },
  'POST /v1/workspaces': { on: 'person' },
  'GET /v1/workspaces/:workspaceId': workspace('read'),
  'PATCH /v1/workspaces/:workspaceId': workspace('update'),
  'DELETE /v1/workspaces/:workspaceId': workspace('delete'),
  'GET /v1/workspaces/:workspaceId/audit': workspace('read'),
  'GET /v1/workspaces/:workspaceId/members': workspace('read'),
  'PATCH /v1/workspaces/:workspaceId/members/:userId': workspace('manage_members'),
  'DELETE /v1/workspaces/:workspaceId/members/:userId': workspace('manage_members'),
  'POST /v1/workspaces/:workspaceId/invitations': workspace('manage_members'),
  'GET /v1/workspaces/:workspaceId/invitations': workspace('manage_members'),
  'DELETE /v1/workspaces/:workspaceId/invitations/:invitationId': workspace('manage_members'),
  'POST /v1/workspaces/:workspaceId/invitations/:invitationId/resend': workspace('manage_members'),
  'POST /v1/invitations/accept': { on: 'person' },
  'POST /v1/workspaces/:workspaceId/root-keys': workspace('manage_root_keys'),
  'GET /v1/workspaces/:workspaceId/root-keys': workspace('manage_root_keys'),
  'POST /v1/workspaces/:workspaceId/root-keys/:rootKeyId/rotate': workspace('manage_root_keys'),
  'DELETE /v1/workspaces/:workspaceId/root-keys/:rootKeyId': workspace('manage_root_keys'),
};

/** Every permission a root key can hold in this team's workspace. */
function allPermissions(projectId: string): string[] {
  return [...PROJECT_ACTIONS.map((a) => `project.${projectId}.${a}`), ...ROOT_KEY_WORKSPACE_ACTIONS.map((a) => `workspace.${a}`)];
}

/** The one permission that allows `need`, or null when no root key may do it (people only). */
function permissionFor(need: Need, projectId: string): string | null {
  if (need.on === 'project') return `project.${projectId}.${need.action}`;
  if (need.on === 'workspace') return (ROOT_KEY_WORKSPACE_ACTIONS as readonly string[]).includes(need.action) ? `workspace.${need.action}` : null;
  return null;
}

const minimumRole = (need: Need): Role => (need.on === 'project' ? PROJECT_ACTION_ROLE[need.action] : need.on === 'workspace' ? WORKSPACE_ACTION_ROLE[need.action] : 'viewer');

type Caller = Role | 'outsider' | 'root key with the permission' | 'root key with every other permission' | 'root key of another workspace';
const CALLERS: Caller[] = ['owner', 'admin', 'developer', 'viewer', 'outsider', 'root key with the permission', 'root key with every other permission', 'root key of another workspace'];

describe(`role matrix (${backend})`, () => {
  let t: TestApp;
  let people: People;

  beforeAll(async () => {
    t = await startApp({ logLevel: 'silent' });
    people = await registerPeople(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  it('classifies every management route (a new route must be added to the table)', () => {
    expect(management.map(nameOf).filter((name) => NEEDS[name] === undefined)).toEqual([]);
    expect(Object.keys(NEEDS).filter((name) => !management.some((r) => nameOf(r) === name))).toEqual([]);
  });

  /** A request of the route that succeeds for a caller who may: the team's ids and a valid body. */
  function requestFor(route: RouteInfo, team: Team, token: string): InjectOptions {
    const ids = { ...team, userId: people.target.id };
    const options: InjectOptions = { method: route.method as InjectOptions['method'], url: fillPath(route, ids), headers: bearer(token) };
    const overrides: Record<string, Record<string, unknown>> = {
      'POST /v1/projects': { name: 'made', workspaceId: team.workspaceId },
      'PATCH /v1/workspaces/:workspaceId/members/:userId': { role: 'developer' },
      'PUT /v1/projects/:projectId/members/:userId': { role: 'viewer' },
      'POST /v1/workspaces/:workspaceId/invitations': { email: `new-${randomUUID()}@example.com`, role: 'viewer' },
      'POST /v1/workspaces/:workspaceId/root-keys': { name: 'made', permissions: [] },
    };
    const body = overrides[nameOf(route)] ?? (route.bodySchema !== undefined ? (validValue(route.bodySchema) as Record<string, unknown>) : undefined);
    if (body !== undefined) options.payload = body;
    return options;
  }

  /** The token of `caller` in `team` (root keys made for the occasion by the owner). */
  async function tokenOf(caller: Caller, need: Need, team: Team): Promise<string> {
    switch (caller) {
      case 'outsider':
        return people.outsider.accessToken;
      case 'root key with the permission': {
        const permission = permissionFor(need, team.projectId);
        // No permission allows it: the key holds every permission there is, and is still refused.
        return (await createRootKey(t.app, people.owner.accessToken, team.workspaceId, permission === null ? allPermissions(team.projectId) : [permission])).key;
      }
      case 'root key with every other permission': {
        const permission = permissionFor(need, team.projectId);
        return (await createRootKey(t.app, people.owner.accessToken, team.workspaceId, allPermissions(team.projectId).filter((p) => p !== permission))).key;
      }
      case 'root key of another workspace': {
        const other = await createWorkspace(t.app, people.owner.accessToken);
        const otherProject = await createProjectIn(t.app, people.owner.accessToken, other.id);
        const wildcard = need.on === 'project' ? [`project.*.${need.action}`] : allPermissions(otherProject.id);
        return (await createRootKey(t.app, people.owner.accessToken, other.id, wildcard)).key;
      }
      default:
        return people[caller].accessToken;
    }
  }

  function expected(caller: Caller, need: Need): 'success' | 403 | 404 {
    switch (caller) {
      case 'outsider':
      case 'root key of another workspace':
        return 404;
      case 'root key with the permission':
        return permissionFor(need, '') === null ? 403 : 'success';
      case 'root key with every other permission':
        return 403;
      default:
        return atLeast(caller, minimumRole(need)) ? 'success' : 403;
    }
  }

  function mismatch(response: LightMyRequestResponse, want: 'success' | 403 | 404): string | null {
    if (want === 'success') return response.statusCode >= 200 && response.statusCode < 300 ? null : `${response.statusCode} ${response.body.slice(0, 200)}`;
    const code = want === 403 ? 'forbidden' : 'not_found';
    const body = response.json<{ error?: string }>();
    return response.statusCode === want && body.error === code ? null : `${response.statusCode} ${response.body.slice(0, 200)}`;
  }

  const scoped = management.filter((r) => {
    const need = NEEDS[nameOf(r)];
    return need !== undefined && (need.on === 'project' || need.on === 'workspace');
  });

  it.each(scoped.map((r) => [nameOf(r), r] as const))('%s', async (name, route) => {
    const need = NEEDS[name] as Need;
    const failures: string[] = [];
    // Reads share one team; a change gets a team of its own for each caller.
    const shared = route.method === 'GET' ? await buildTeam(t.app, people) : null;
    for (const caller of CALLERS) {
      const team = shared ?? (await buildTeam(t.app, people));
      const response = await t.app.inject(requestFor(route, team, await tokenOf(caller, need, team)));
      const wrong = mismatch(response, expected(caller, need));
      if (wrong !== null) failures.push(`${caller} (expected ${expected(caller, need)}): ${wrong}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('a root key is no person: the account routes, creating a workspace and accepting an invitation are 403 for it', async () => {
    const team = await buildTeam(t.app, people);
    const key = (await createRootKey(t.app, people.owner.accessToken, team.workspaceId, allPermissions(team.projectId))).key;
    for (const route of management.filter((r) => NEEDS[nameOf(r)]?.on === 'person')) {
      const response = await t.app.inject(requestFor(route, team, key));
      expect(response.statusCode, `${nameOf(route)} ${response.body}`).toBe(403);
      expect(response.json<{ error: string }>().error).toBe('forbidden');
    }
  });

  it('GET /v1/projects lists every project of the caller’s workspaces; a root key, those its permissions name', async () => {
    const team = await buildTeam(t.app, people);
    const second = await createProjectIn(t.app, people.owner.accessToken, team.workspaceId, 'second');
    const ids = async (token: string): Promise<string[]> => (await t.app.inject({ method: 'GET', url: '/v1/projects?limit=100', headers: bearer(token) })).json<Array<{ id: string }>>().map((p) => p.id);
    for (const member of [people.viewer, people.developer, people.admin]) expect(await ids(member.accessToken)).toEqual(expect.arrayContaining([team.projectId, second.id]));
    expect(await ids(people.outsider.accessToken)).not.toContain(team.projectId);
    const named = await createRootKey(t.app, people.owner.accessToken, team.workspaceId, [`project.${second.id}.read_key`]);
    expect(await ids(named.key)).toEqual([second.id]);
    const wildcard = await createRootKey(t.app, people.owner.accessToken, team.workspaceId, ['project.*.read_key']);
    expect((await ids(wildcard.key)).sort()).toEqual([team.projectId, second.id].sort());
    const listed = (await t.app.inject({ method: 'GET', url: '/v1/projects', headers: bearer(people.viewer.accessToken) })).json<Array<{ id: string; workspaceId: string }>>();
    expect(listed.find((p) => p.id === team.projectId)?.workspaceId).toBe(team.workspaceId);
  });

  it('a per-project role narrows: a developer who is a viewer in one project changes credentials only in the others', async () => {
    const team = await buildTeam(t.app, people);
    const other = await createProjectIn(t.app, people.owner.accessToken, team.workspaceId, 'other');
    const put = await t.app.inject({ method: 'PUT', url: `/v1/projects/${team.projectId}/members/${people.developer.id}`, headers: bearer(people.admin.accessToken), payload: { role: 'viewer' } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ role: 'viewer', workspaceRole: 'developer' });
    const create = (projectId: string): Promise<LightMyRequestResponse> => t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/keys`, headers: bearer(people.developer.accessToken), payload: {} });
    expect((await create(team.projectId)).statusCode).toBe(403);
    expect((await create(other.id)).statusCode).toBe(201);
    // A project role never widens: a viewer made "admin" of a project is still a viewer there.
    await t.app.inject({ method: 'PUT', url: `/v1/projects/${team.projectId}/members/${people.viewer.id}`, headers: bearer(people.admin.accessToken), payload: { role: 'admin' } });
    expect((await t.app.inject({ method: 'POST', url: `/v1/projects/${team.projectId}/keys`, headers: bearer(people.viewer.accessToken), payload: {} })).statusCode).toBe(403);
    // Admins read the per-project roles back, with each member's workspace role; the other project has none.
    const roles = (projectId: string): Promise<LightMyRequestResponse> => t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/members`, headers: bearer(people.admin.accessToken) });
    // buildTeam gave the target a project role too.
    expect((await roles(team.projectId)).json<{ userId: string }[]>().map(({ userId }) => userId).sort()).toEqual([people.developer.id, people.viewer.id, people.target.id].sort());
    expect((await roles(team.projectId)).json()).toContainEqual({ projectId: team.projectId, userId: people.developer.id, role: 'viewer', workspaceRole: 'developer' });
    expect((await roles(other.id)).json()).toEqual([]);
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${team.projectId}/members/${people.developer.id}`, headers: bearer(people.admin.accessToken) });
    expect(removed.statusCode).toBe(204);
    expect((await create(team.projectId)).statusCode).toBe(201);
  });

  it('the last owner can neither leave nor be demoted; owners are made by owners only; anyone may leave', async () => {
    const team = await buildTeam(t.app, people);
    const member = (userId: string): string => `/v1/workspaces/${team.workspaceId}/members/${userId}`;
    const leave = await t.app.inject({ method: 'DELETE', url: member(people.owner.id), headers: bearer(people.owner.accessToken) });
    expect(leave.statusCode, leave.body).toBe(409);
    expect(leave.json<{ error: string }>().error).toBe('last_owner');
    expect((await t.app.inject({ method: 'PATCH', url: member(people.owner.id), headers: bearer(people.owner.accessToken), payload: { role: 'admin' } })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'PATCH', url: member(people.developer.id), headers: bearer(people.admin.accessToken), payload: { role: 'owner' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: member(people.owner.id), headers: bearer(people.admin.accessToken) })).statusCode).toBe(403);
    // A transfer: the owner makes the admin an owner, then steps down.
    expect((await t.app.inject({ method: 'PATCH', url: member(people.admin.id), headers: bearer(people.owner.accessToken), payload: { role: 'owner' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: member(people.owner.id), headers: bearer(people.owner.accessToken) })).statusCode).toBe(204);
    // A viewer leaves on their own.
    expect((await t.app.inject({ method: 'DELETE', url: member(people.viewer.id), headers: bearer(people.viewer.accessToken) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${team.projectId}/keys`, headers: bearer(people.viewer.accessToken) })).statusCode).toBe(404);
    // Every change of membership is in the workspace's audit log.
    const audit = await t.app.inject({ method: 'GET', url: `/v1/workspaces/${team.workspaceId}/audit`, headers: bearer(people.admin.accessToken) });
    const actions = audit.json<Array<{ action: string; targetId: string | null; actorId: string | null }>>();
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['member.added', 'member.role_changed', 'member.left']));
    expect(actions.find((a) => a.action === 'member.left' && a.targetId === people.viewer.id)?.actorId).toBe(people.viewer.id);
  });

  it('a personal workspace holds the projects a user creates without naming one, and cannot be deleted', async () => {
    const workspaces = (await t.app.inject({ method: 'GET', url: '/v1/workspaces', headers: bearer(people.outsider.accessToken) })).json<Array<{ id: string; personal: boolean; role: string }>>();
    const personal = workspaces.find((w) => w.personal);
    expect(personal?.role).toBe('owner');
    const made = (await t.app.inject({ method: 'POST', url: '/v1/projects', headers: bearer(people.outsider.accessToken), payload: { name: 'mine' } })).json<{ id: string; workspaceId: string }>();
    expect(made.workspaceId).toBe(personal?.id);
    const refused = await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${personal?.id}`, headers: bearer(people.outsider.accessToken) });
    expect(refused.statusCode).toBe(400);
    const key = await createKey(t.app, people.outsider.accessToken, made.id);
    expect(key.key).toMatch(/^sk_live_/);
  });

  it("the workspace's audit log shows its projects' entries, a deleted project's included", async () => {
    const team = await buildTeam(t.app, people);
    const doomed = await createProjectIn(t.app, people.owner.accessToken, team.workspaceId, 'doomed');
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${doomed.id}`, headers: bearer(people.admin.accessToken) })).statusCode).toBe(204);
    const log = (await t.app.inject({ method: 'GET', url: `/v1/workspaces/${team.workspaceId}/audit`, headers: bearer(people.viewer.accessToken) })).json<Array<{ action: string; targetId: string | null; actorId: string | null; actorType: string | null }>>();
    expect(log.find((e) => e.action === 'key.created' && e.targetId === team.keyId)).toBeDefined();
    expect(log.find((e) => e.action === 'project.deleted' && e.targetId === doomed.id)).toMatchObject({ actorId: people.admin.id, actorType: 'user' });
  });

  it('deleting a team workspace deletes its projects, and their keys fail at once', async () => {
    const team = await buildTeam(t.app, people);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${team.workspaceId}`, headers: bearer(people.owner.accessToken) });
    expect(deleted.statusCode, deleted.body).toBe(204);
    const verify = await t.app.inject({ method: 'POST', url: '/v1/verify', headers: bearer(team.key) });
    expect(verify.json<{ valid: boolean }>().valid).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${team.projectId}/keys`, headers: bearer(people.owner.accessToken) })).statusCode).toBe(404);
  });

  it('joins by invitation keep the role invited, and an admin of one team is nobody in another', async () => {
    const a = await buildTeam(t.app, people);
    const b = await createWorkspace(t.app, people.outsider.accessToken);
    await join(t.app, people.outsider, b.id, people.viewer, 'admin');
    const bProject = await createProjectIn(t.app, people.viewer.accessToken, b.id);
    expect((await t.app.inject({ method: 'POST', url: `/v1/projects/${a.projectId}/keys`, headers: bearer(people.viewer.accessToken), payload: {} })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: `/v1/projects/${bProject.id}/keys`, headers: bearer(people.viewer.accessToken), payload: {} })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${bProject.id}/keys`, headers: bearer(people.admin.accessToken) })).statusCode).toBe(404);
  });
});
