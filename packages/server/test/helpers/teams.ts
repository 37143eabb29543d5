import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/http/types.js';
import { bearer, createKey, createService, createWebhook, json, registerUser, type TestUser } from './harness.js';

export type MemberRole = 'admin' | 'developer' | 'viewer';

async function call(app: App, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload } : {}) });
}

async function ok<T>(response: Promise<LightMyRequestResponse>, what: string): Promise<T> {
  const r = await response;
  if (r.statusCode < 200 || r.statusCode >= 300) throw new Error(`${what} failed: ${r.statusCode} ${r.body}`);
  return json<T>(r);
}

export const createWorkspace = (app: App, token: string, name = `team-${randomUUID().slice(0, 8)}`): Promise<{ id: string; name: string }> =>
  ok(call(app, 'POST', '/v1/workspaces', token, { name }), 'create workspace');

export const invite = (app: App, token: string, workspaceId: string, email: string, role: string): Promise<{ id: string; token: string; status: string }> =>
  ok(call(app, 'POST', `/v1/workspaces/${workspaceId}/invitations`, token, { email, role }), 'invite');

export const accept = (app: App, token: string, invitationToken: string): Promise<LightMyRequestResponse> => call(app, 'POST', '/v1/invitations/accept', token, { token: invitationToken });

/** `user` joins the workspace as `role`, invited by `owner`. */
export async function join(app: App, owner: TestUser, workspaceId: string, user: TestUser, role: string): Promise<void> {
  const invitation = await invite(app, owner.accessToken, workspaceId, user.email, role);
  await ok(accept(app, user.accessToken, invitation.token), 'accept');
}

export const createRootKey = (app: App, token: string, workspaceId: string, permissions: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; key: string; prefix: string }> =>
  ok(call(app, 'POST', `/v1/workspaces/${workspaceId}/root-keys`, token, { name: 'ci', permissions, ...extra }), 'create root key');

export const createProjectIn = (app: App, token: string, workspaceId: string, name = 'team-project'): Promise<{ id: string; workspaceId: string }> =>
  ok(call(app, 'POST', '/v1/projects', token, { name, workspaceId }), 'create project');

/** The people of a team: registered once, joined to each new workspace. */
export interface People {
  owner: TestUser;
  admin: TestUser;
  developer: TestUser;
  viewer: TestUser;
  /** A viewer that member-management routes act on. */
  target: TestUser;
  outsider: TestUser;
}

export async function registerPeople(app: App): Promise<People> {
  const [owner, admin, developer, viewer, target, outsider] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => registerUser(app)));
  return { owner, admin, developer, viewer, target, outsider } as People;
}

/** A workspace with every role in it, a project with a key, a service and a webhook (with a delivery), a pending invitation and a root key. */
export interface Team {
  workspaceId: string;
  projectId: string;
  keyId: string;
  key: string;
  serviceId: string;
  webhookId: string;
  deliveryId: string;
  invitationId: string;
  rootKeyId: string;
}

export async function buildTeam(app: App, people: People): Promise<Team> {
  const { owner } = people;
  const workspace = await createWorkspace(app, owner.accessToken);
  for (const role of ['admin', 'developer', 'viewer'] as const) await join(app, owner, workspace.id, people[role], role);
  await join(app, owner, workspace.id, people.target, 'viewer');
  const project = await createProjectIn(app, owner.accessToken, workspace.id);
  const key = await createKey(app, owner.accessToken, project.id, { label: 'team' });
  const service = await createService(app, owner.accessToken, project.id);
  await ok(call(app, 'PUT', `/v1/projects/${project.id}/members/${people.target.id}`, owner.accessToken, { role: 'viewer' }), 'project role');
  const pending = await invite(app, owner.accessToken, workspace.id, `pending-${randomUUID()}@example.com`, 'viewer');
  const rootKey = await createRootKey(app, owner.accessToken, workspace.id, []);
  const webhook = await createWebhook(app, owner.accessToken, project.id);
  return {
    workspaceId: workspace.id,
    projectId: project.id,
    keyId: key.id,
    key: key.key,
    serviceId: service.id,
    webhookId: webhook.id,
    deliveryId: webhook.deliveryId,
    invitationId: pending.id,
    rootKeyId: rootKey.id,
  };
}
