import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor, ElyzorError } from '../src/index.js';
import { startElyzor, type RunningElyzor } from './helpers.js';

/**
 * The `workspaces`, `members`, `invitations` and `rootKeys` groups against a real Elyzor over
 * HTTP (the backend of this test project): each method, the pages of each list, the API's
 * refusals as ElyzorError, and a root key as the client's credential.
 */
let elyzor: RunningElyzor;
beforeAll(async () => {
  elyzor = await startElyzor();
});
afterAll(async () => {
  await elyzor?.close();
});

interface Person {
  client: Elyzor;
  id: string;
  email: string;
}

async function person(): Promise<Person> {
  const email = `team-${randomUUID()}@example.com`;
  const client = new Elyzor({ baseUrl: elyzor.baseUrl });
  const { user } = await client.auth.register(email, 'correct horse battery');
  return { client, id: user.id, email };
}

async function thrown(promise: Promise<unknown>): Promise<ElyzorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ElyzorError) return error;
  throw new Error(`expected an ElyzorError, got ${String(error)}`);
}

/** `who` joins the workspace as `role`, through an invitation the owner issues and `who` accepts. */
async function join(owner: Person, workspaceId: string, who: Person, role: 'admin' | 'developer' | 'viewer'): Promise<void> {
  const invitation = await owner.client.invitations.create(workspaceId, { email: who.email, role });
  await who.client.invitations.accept(invitation.token);
}

describe('workspaces', () => {
  it('create, get, update, list in pages and iterate, audit, delete', async () => {
    const owner = await person();
    const created = [];
    for (const name of ['alpha', 'beta', 'gamma']) created.push(await owner.client.workspaces.create({ name }));
    expect(created[0]).toMatchObject({ name: 'alpha', personal: false, role: 'owner' });

    // Three team workspaces and the personal one, newest first.
    const first = await owner.client.workspaces.list({ limit: 2 });
    expect(first.items.map((w) => w.name)).toEqual(['gamma', 'beta']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await owner.client.workspaces.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((w) => w.name)[0]).toBe('alpha');
    expect(second.items[1]?.personal).toBe(true);
    expect(second.nextCursor).toBeNull();
    const all = [];
    for await (const workspace of owner.client.workspaces.iterate({ limit: 1 })) all.push(workspace.name);
    expect(all.slice(0, 3)).toEqual(['gamma', 'beta', 'alpha']);
    expect(all).toHaveLength(4);

    const alpha = created[0]?.id ?? '';
    expect(await owner.client.workspaces.get(alpha)).toMatchObject({ id: alpha, name: 'alpha', role: 'owner' });
    expect(await owner.client.workspaces.update(alpha, { name: 'alpha-2' })).toMatchObject({ id: alpha, name: 'alpha-2' });

    const page = await owner.client.workspaces.audit(alpha, { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    const actions = [];
    for await (const entry of owner.client.workspaces.iterateAudit(alpha, { limit: 1 })) actions.push(entry.action);
    expect(actions.length).toBeGreaterThanOrEqual(2);

    await owner.client.workspaces.delete(alpha);
    expect(await thrown(owner.client.workspaces.get(alpha))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('unknown and malformed ids are ElyzorError 404 not_found; a blank name 400 validation_error', async () => {
    const owner = await person();
    for (const id of [randomUUID(), 'not-a-uuid', '../projects']) {
      expect(await thrown(owner.client.workspaces.get(id))).toMatchObject({ status: 404, code: 'not_found', requestId: expect.any(String) });
    }
    expect(await thrown(owner.client.workspaces.create({ name: ' ' }))).toMatchObject({ status: 400, code: 'validation_error' });
  });
});

describe('invitations and members', () => {
  it('invite, list in pages, resend (the old token stops working), revoke, accept', async () => {
    const owner = await person();
    const invitee = await person();
    const workspace = await owner.client.workspaces.create({ name: 'team' });
    const issued = await owner.client.invitations.create(workspace.id, { email: invitee.email, role: 'developer' });
    expect(issued).toMatchObject({ workspaceId: workspace.id, email: invitee.email, role: 'developer', status: 'pending', token: expect.stringMatching(/^inv_/) });
    const other = await owner.client.invitations.create(workspace.id, { email: `nobody-${randomUUID()}@example.com`, role: 'viewer' });

    const first = await owner.client.invitations.list(workspace.id, { limit: 1 });
    expect(first.items.map((i) => i.id)).toEqual([other.id]);
    expect(first.items[0]).not.toHaveProperty('token');
    const ids = [];
    for await (const invitation of owner.client.invitations.iterate(workspace.id, { limit: 1 })) ids.push(invitation.id);
    expect(ids).toEqual([other.id, issued.id]);

    const resent = await owner.client.invitations.resend(workspace.id, issued.id);
    expect(resent).toMatchObject({ id: issued.id, status: 'pending' });
    expect(resent.token).not.toBe(issued.token);
    expect(await thrown(invitee.client.invitations.accept(issued.token))).toMatchObject({ status: 404, code: 'not_found' });

    await owner.client.invitations.revoke(workspace.id, other.id);
    expect(await thrown(owner.client.invitations.revoke(workspace.id, other.id))).toMatchObject({ status: 403, code: 'already_revoked' });
    expect(await thrown(owner.client.invitations.resend(workspace.id, randomUUID()))).toMatchObject({ status: 404, code: 'not_found' });

    expect(await invitee.client.invitations.accept(resent.token)).toMatchObject({ id: workspace.id, role: 'developer' });
    expect(await thrown(invitee.client.invitations.accept(resent.token))).toMatchObject({ status: 404 });
  });

  it('members: list in pages, change a role, a per-project role, remove, leave; the last owner stays (409)', async () => {
    const owner = await person();
    const [dev, viewer] = [await person(), await person()];
    const workspace = await owner.client.workspaces.create({ name: 'team' });
    await join(owner, workspace.id, dev, 'developer');
    await join(owner, workspace.id, viewer, 'viewer');

    const page = await owner.client.members.list(workspace.id, { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    const everyone = [];
    for await (const member of owner.client.members.iterate(workspace.id, { limit: 2 })) everyone.push(`${member.email}:${member.role}`);
    expect(everyone.sort()).toEqual([`${dev.email}:developer`, `${owner.email}:owner`, `${viewer.email}:viewer`].sort());

    expect(await owner.client.members.update(workspace.id, viewer.id, { role: 'admin' })).toMatchObject({ userId: viewer.id, role: 'admin' });

    const project = await owner.client.projects.create({ name: 'api', workspaceId: workspace.id });
    expect(project.workspaceId).toBe(workspace.id);
    expect(await owner.client.members.projectRoles(project.id)).toEqual([]);
    expect(await owner.client.members.setProjectRole(project.id, dev.id, { role: 'viewer' })).toEqual({ projectId: project.id, userId: dev.id, role: 'viewer', workspaceRole: 'developer' });
    expect(await owner.client.members.projectRoles(project.id)).toEqual([{ projectId: project.id, userId: dev.id, role: 'viewer', workspaceRole: 'developer' }]);
    expect(await thrown(dev.client.members.projectRoles(project.id))).toMatchObject({ status: 403, code: 'forbidden' });
    // As a viewer of this project, the developer may read keys but not create them.
    expect((await dev.client.keys.list(project.id)).items).toEqual([]);
    expect(await thrown(dev.client.keys.create(project.id, {}))).toMatchObject({ status: 403, code: 'forbidden' });
    await owner.client.members.removeProjectRole(project.id, dev.id);
    expect(await owner.client.members.projectRoles(project.id)).toEqual([]);
    expect((await dev.client.keys.create(project.id, {})).key).toMatch(/^sk_live_/);

    expect(await thrown(owner.client.members.update(workspace.id, owner.id, { role: 'admin' }))).toMatchObject({ status: 409, code: 'last_owner' });
    expect(await thrown(owner.client.members.remove(workspace.id, owner.id))).toMatchObject({ status: 409, code: 'last_owner' });

    await owner.client.members.remove(workspace.id, viewer.id);
    await dev.client.members.remove(workspace.id, dev.id);
    expect((await owner.client.members.list(workspace.id)).items.map((m) => m.userId)).toEqual([owner.id]);
    expect(await thrown(dev.client.workspaces.get(workspace.id))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await thrown(owner.client.members.update(workspace.id, randomUUID(), { role: 'viewer' }))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('a viewer reads the workspace but every change is ElyzorError 403 forbidden', async () => {
    const owner = await person();
    const viewer = await person();
    const workspace = await owner.client.workspaces.create({ name: 'team' });
    await join(owner, workspace.id, viewer, 'viewer');
    expect((await viewer.client.workspaces.get(workspace.id)).role).toBe('viewer');
    const refusals = [
      () => viewer.client.workspaces.update(workspace.id, { name: 'mine' }),
      () => viewer.client.workspaces.delete(workspace.id),
      () => viewer.client.invitations.create(workspace.id, { email: `x-${randomUUID()}@example.com`, role: 'viewer' }),
      () => viewer.client.members.update(workspace.id, owner.id, { role: 'viewer' }),
      () => viewer.client.rootKeys.create(workspace.id, { name: 'mine', permissions: [] }),
      () => viewer.client.projects.create({ name: 'mine', workspaceId: workspace.id }),
    ];
    // Each is sent only when awaited: a refusal waiting its turn would be an unhandled rejection.
    for (const refusal of refusals) expect(await thrown(refusal())).toMatchObject({ status: 403, code: 'forbidden', requestId: expect.any(String) });
  });
});

describe('root keys', () => {
  it('create, list in pages, rotate, revoke; never the secret in a list', async () => {
    const owner = await person();
    const workspace = await owner.client.workspaces.create({ name: 'machines' });
    const a = await owner.client.rootKeys.create(workspace.id, { name: 'ci', permissions: ['project.*.read_key'] });
    expect(a).toMatchObject({ workspaceId: workspace.id, name: 'ci', permissions: ['project.*.read_key'], status: 'active', key: expect.stringMatching(/^rk_live_/) });
    const b = await owner.client.rootKeys.create(workspace.id, { name: 'deploy', permissions: [], expiresAt: new Date(Date.now() + 86_400_000).toISOString() });

    const first = await owner.client.rootKeys.list(workspace.id, { limit: 1 });
    expect(first.items.map((k) => k.id)).toEqual([b.id]);
    expect(first.items[0]).not.toHaveProperty('key');
    const names = [];
    for await (const rootKey of owner.client.rootKeys.iterate(workspace.id, { limit: 1 })) names.push(rootKey.name);
    expect(names).toEqual(['deploy', 'ci']);

    const rotated = await owner.client.rootKeys.rotate(workspace.id, a.id);
    expect(rotated.id).toBe(a.id);
    expect(rotated.key).not.toBe(a.key);
    expect(await thrown(new Elyzor({ baseUrl: elyzor.baseUrl, rootKey: a.key }).projects.list())).toMatchObject({ status: 401 });
    await new Elyzor({ baseUrl: elyzor.baseUrl, rootKey: rotated.key }).projects.list();

    await owner.client.rootKeys.revoke(workspace.id, a.id);
    expect(await thrown(new Elyzor({ baseUrl: elyzor.baseUrl, rootKey: rotated.key }).projects.list())).toMatchObject({ status: 401 });
    expect((await owner.client.rootKeys.list(workspace.id)).items.find((k) => k.id === a.id)?.status).toBe('revoked');
    expect(await thrown(owner.client.rootKeys.revoke(workspace.id, randomUUID()))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await thrown(owner.client.rootKeys.create(workspace.id, { name: 'bad', permissions: ['project.*.launch_rockets'] }))).toMatchObject({ status: 400, code: 'validation_error' });
  });

  it("as the client's credential, a root key does exactly what its permissions allow", async () => {
    const owner = await person();
    const workspace = await owner.client.workspaces.create({ name: 'machines' });
    const project = await owner.client.projects.create({ name: 'api', workspaceId: workspace.id });
    const other = await owner.client.projects.create({ name: 'other', workspaceId: workspace.id });
    const existing = await owner.client.keys.create(project.id, { label: 'customer' });
    const { key } = await owner.client.rootKeys.create(workspace.id, { name: 'issuer', permissions: [`project.${project.id}.create_key`, `project.${project.id}.read_key`] });
    const machine = new Elyzor({ baseUrl: elyzor.baseUrl, rootKey: key });

    const issued = await machine.keys.create(project.id, { label: 'by machine' });
    expect((await owner.client.verify(issued.key)).valid).toBe(true);
    expect((await machine.keys.get(project.id, existing.id)).id).toBe(existing.id);
    expect((await machine.keys.list(project.id)).items.map((k) => k.label).sort()).toEqual(['by machine', 'customer']);

    // Actions it was not given are 403; another project of the workspace too.
    expect(await thrown(machine.keys.revoke(project.id, existing.id))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await thrown(machine.keys.create(other.id, {}))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await thrown(machine.rootKeys.create(workspace.id, { name: 'more', permissions: [] }))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await thrown(machine.members.list(workspace.id))).toMatchObject({ status: 403 });
  });
});
