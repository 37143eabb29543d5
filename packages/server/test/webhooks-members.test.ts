import { WEBHOOK_EVENT_TYPES } from '@elyzor/contract';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, json, registerUser, startApp, type TestApp, type TestUser } from './helpers/harness.js';
import { createProjectIn, createWorkspace, invite } from './helpers/teams.js';
import { WebhookReceiver, type Received } from './helpers/webhook-receiver.js';

/**
 * `member.added` and `member.removed`: a change of a workspace membership reaches the webhooks of
 * every project of the workspace, a change of a per-project role that project's only; each is
 * signed, names the user, role and actor, and holds no token. The worker's timer is off: each
 * round is driven here, and only this suite's receiver paths are read.
 */
describe(`member webhooks (${backend})`, () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '2000' } });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  interface Team {
    owner: TestUser;
    workspaceId: string;
    projects: Array<{ id: string; path: string; secret: string }>;
  }

  /** A workspace with two projects, each with a webhook on `member.*` at its own receiver path. */
  async function team(): Promise<Team> {
    const owner = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    const projects = [];
    for (const name of ['a', 'b']) {
      const project = await createProjectIn(t.app, owner.accessToken, workspace.id, name);
      const path = `/${project.id}`;
      const created = await t.app.inject({ method: 'POST', url: `/v1/projects/${project.id}/webhooks`, headers: bearer(owner.accessToken), payload: { url: receiver.url(path), events: ['member.added', 'member.removed'] } });
      expect(created.statusCode, created.body).toBe(201);
      projects.push({ id: project.id, path, secret: json<{ secret: string }>(created).secret });
    }
    return { owner, workspaceId: workspace.id, projects };
  }

  /** Delivers what is due and returns what each project's webhook received since `mark`, verified as a standardwebhooks receiver does. */
  async function deliveredTo(team: Team, mark: number): Promise<Array<Array<{ type: string; data: Record<string, unknown> }>>> {
    await t.deps.webhookWorker.runOnce();
    const fresh = receiver.received.slice(mark);
    return team.projects.map((p) =>
      fresh
        .filter((r) => r.path === p.path)
        .map((r: Received) => new Webhook(p.secret).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as { type: string; data: Record<string, unknown> }),
    );
  }

  it('an accepted invitation, a role change, a removal and a leave reach every project of the workspace', async () => {
    const crew = await team();
    const [a, b] = crew.projects as [Team['projects'][number], Team['projects'][number]];
    const [dev, other] = [await registerUser(t.app), await registerUser(t.app)];
    const owner = { type: 'user', id: crew.owner.id };

    let mark = receiver.received.length;
    const invitation = await invite(t.app, crew.owner.accessToken, crew.workspaceId, dev.email, 'developer');
    expect((await t.app.inject({ method: 'POST', url: '/v1/invitations/accept', headers: bearer(dev.accessToken), payload: { token: invitation.token } })).statusCode).toBe(200);
    let got = await deliveredTo(crew, mark);
    const added = { workspaceId: crew.workspaceId, userId: dev.id, email: dev.email, role: 'developer', previousRole: null, actor: { type: 'user', id: dev.id } };
    expect(got).toEqual([[{ type: 'member.added', timestamp: expect.any(String), data: { ...added, projectId: a.id } }], [{ type: 'member.added', timestamp: expect.any(String), data: { ...added, projectId: b.id } }]]);
    expect(receiver.received.slice(mark).map((r) => r.body).join('')).not.toContain(invitation.token);

    mark = receiver.received.length;
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/workspaces/${crew.workspaceId}/members/${dev.id}`, headers: bearer(crew.owner.accessToken), payload: { role: 'viewer' } })).statusCode).toBe(200);
    got = await deliveredTo(crew, mark);
    expect(got.map((events) => events.map((e) => [e.type, e.data.role, e.data.previousRole, e.data.actor]))).toEqual([[['member.added', 'viewer', 'developer', owner]], [['member.added', 'viewer', 'developer', owner]]]);

    mark = receiver.received.length;
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${crew.workspaceId}/members/${dev.id}`, headers: bearer(crew.owner.accessToken) })).statusCode).toBe(204);
    got = await deliveredTo(crew, mark);
    expect(got.map((events) => events.map((e) => [e.type, e.data.userId, e.data.role, e.data.actor]))).toEqual([[['member.removed', dev.id, 'viewer', owner]], [['member.removed', dev.id, 'viewer', owner]]]);

    const second = await invite(t.app, crew.owner.accessToken, crew.workspaceId, other.email, 'viewer');
    await t.app.inject({ method: 'POST', url: '/v1/invitations/accept', headers: bearer(other.accessToken), payload: { token: second.token } });
    mark = receiver.received.length;
    await deliveredTo(crew, mark);
    mark = receiver.received.length;
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${crew.workspaceId}/members/${other.id}`, headers: bearer(other.accessToken) })).statusCode).toBe(204);
    got = await deliveredTo(crew, mark);
    expect(got.map((events) => events.map((e) => [e.type, e.data.userId, e.data.actor]))).toEqual([[['member.removed', other.id, { type: 'user', id: other.id }]], [['member.removed', other.id, { type: 'user', id: other.id }]]]);
  });

  it("a per-project role reaches that project's webhooks only; a refused change sends nothing", async () => {
    const crew = await team();
    const [a] = crew.projects as [Team['projects'][number]];
    const dev = await registerUser(t.app);
    const invitation = await invite(t.app, crew.owner.accessToken, crew.workspaceId, dev.email, 'developer');
    await t.app.inject({ method: 'POST', url: '/v1/invitations/accept', headers: bearer(dev.accessToken), payload: { token: invitation.token } });
    let mark = receiver.received.length;
    await deliveredTo(crew, mark);

    mark = receiver.received.length;
    expect((await t.app.inject({ method: 'PUT', url: `/v1/projects/${a.id}/members/${dev.id}`, headers: bearer(crew.owner.accessToken), payload: { role: 'viewer' } })).statusCode).toBe(200);
    let got = await deliveredTo(crew, mark);
    expect(got.map((events) => events.map((e) => [e.type, e.data.projectId, e.data.role, e.data.previousRole]))).toEqual([[['member.added', a.id, 'viewer', 'developer']], []]);

    mark = receiver.received.length;
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${a.id}/members/${dev.id}`, headers: bearer(crew.owner.accessToken) })).statusCode).toBe(204);
    got = await deliveredTo(crew, mark);
    expect(got.map((events) => events.map((e) => [e.type, e.data.projectId, e.data.role, e.data.previousRole]))).toEqual([[['member.added', a.id, 'developer', 'viewer']], []]);

    // The last owner cannot leave: the change is refused, and its event with it (same transaction).
    mark = receiver.received.length;
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${crew.workspaceId}/members/${crew.owner.id}`, headers: bearer(crew.owner.accessToken) })).statusCode).toBe(409);
    expect(await deliveredTo(crew, mark)).toEqual([[], []]);
    const events = await t.deps.db.selectFrom('webhook_events').select('type').where('project_id', '=', a.id).where('type', 'like', 'member.%').execute();
    expect(events).toHaveLength(3);
  });

  it('the OpenAPI document lists every event of the catalogue as the enum of a subscription, member.* and usage.quota_threshold included', async () => {
    const doc = json<{ paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties: { events: { items: { enum?: string[] } } } } }> } } }> }>(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    const events = doc.paths['/v1/projects/{projectId}/webhooks']?.post?.requestBody?.content['application/json']?.schema.properties.events.items.enum;
    expect(events).toEqual([...WEBHOOK_EVENT_TYPES]);
    expect(events).toEqual(expect.arrayContaining(['member.added', 'member.removed', 'usage.quota_threshold']));
  });
});
