import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, registerUser, startApp, type TestApp, type TestUser } from './helpers/harness.js';
import { accept, createWorkspace, invite } from './helpers/teams.js';

/**
 * Invitations: a single-use, expiring token, stored only as a digest, accepted by the registered
 * user of the invited email; listed, revoked and resent by admins. And the sign-up policy
 * (`SIGNUP=invite`) that registration follows.
 */
describe(`invitations (${backend})`, () => {
  let t: TestApp;
  const clock = new ManualClock(Date.parse('2026-12-01T09:00:00Z'));

  beforeAll(async () => {
    t = await startApp({ logLevel: 'silent', clock });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = async (user: TestUser): Promise<string> =>
    (await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: user.password } })).json<{ accessToken: string }>().accessToken;

  const members = async (token: string, workspaceId: string): Promise<Array<{ userId: string; role: string }>> =>
    (await t.app.inject({ method: 'GET', url: `/v1/workspaces/${workspaceId}/members`, headers: bearer(token) })).json();

  it('admits the invited user once, with the invited role; a second use is 404', async () => {
    const owner = await registerUser(t.app);
    const invitee = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    const issued = await invite(t.app, owner.accessToken, workspace.id, invitee.email.toUpperCase(), 'developer');
    expect(issued.token).toMatch(/^inv_[0-9A-Za-z]{43}$/);
    expect(issued.status).toBe('pending');
    const first = await accept(t.app, invitee.accessToken, issued.token);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ id: workspace.id, role: 'developer', personal: false });
    expect(await members(owner.accessToken, workspace.id)).toContainEqual(expect.objectContaining({ userId: invitee.id, role: 'developer' }));
    const again = await accept(t.app, invitee.accessToken, issued.token);
    expect(again.statusCode).toBe(404);
    expect(again.json<{ error: string }>().error).toBe('not_found');
    const listed = (await t.app.inject({ method: 'GET', url: `/v1/workspaces/${workspace.id}/invitations`, headers: bearer(owner.accessToken) })).json<Array<Record<string, unknown>>>();
    expect(listed.find((i) => i.id === issued.id)).toMatchObject({ status: 'accepted' });
    expect(JSON.stringify(listed)).not.toContain(issued.token);
  });

  it('is refused to anyone but the invited email, and stored only as a digest', async () => {
    const owner = await registerUser(t.app);
    const invitee = await registerUser(t.app);
    const stranger = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    const issued = await invite(t.app, owner.accessToken, workspace.id, invitee.email, 'admin');
    expect((await accept(t.app, stranger.accessToken, issued.token)).statusCode).toBe(404);
    const rows = await t.deps.db.selectFrom('invitations').selectAll().where('id', '=', issued.id).execute();
    expect(JSON.stringify(rows)).not.toContain(issued.token);
    expect(JSON.stringify(rows)).not.toContain(issued.token.slice(4));
    // The invitation still works for its addressee.
    expect((await accept(t.app, invitee.accessToken, issued.token)).statusCode).toBe(200);
  });

  it('expires: after its lifetime the token admits no one; a resend gives a new token and the old one stays dead', async () => {
    const owner = await registerUser(t.app);
    const invitee = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    const issued = await invite(t.app, owner.accessToken, workspace.id, invitee.email, 'viewer');
    clock.advance(t.config.invitationTtlSeconds * 1000);
    // Sessions outlive the invitation only through a new login (access tokens last minutes).
    const [ownerToken, inviteeToken] = [await login(owner), await login(invitee)];
    expect((await accept(t.app, inviteeToken, issued.token)).statusCode).toBe(404);
    const listed = (await t.app.inject({ method: 'GET', url: `/v1/workspaces/${workspace.id}/invitations`, headers: bearer(ownerToken) })).json<Array<{ id: string; status: string }>>();
    expect(listed.find((i) => i.id === issued.id)?.status).toBe('expired');
    const resent = await t.app.inject({ method: 'POST', url: `/v1/workspaces/${workspace.id}/invitations/${issued.id}/resend`, headers: bearer(ownerToken) });
    expect(resent.statusCode, resent.body).toBe(200);
    const fresh = resent.json<{ token: string; status: string }>();
    expect(fresh.status).toBe('pending');
    expect(fresh.token).not.toBe(issued.token);
    expect((await accept(t.app, inviteeToken, issued.token)).statusCode).toBe(404);
    expect((await accept(t.app, inviteeToken, fresh.token)).statusCode).toBe(200);
  });

  it('revoked, it admits no one, and revoking twice is already_revoked', async () => {
    const owner = await registerUser(t.app);
    const invitee = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    const issued = await invite(t.app, owner.accessToken, workspace.id, invitee.email, 'viewer');
    const url = `/v1/workspaces/${workspace.id}/invitations/${issued.id}`;
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect((await accept(t.app, invitee.accessToken, issued.token)).statusCode).toBe(404);
    const twice = await t.app.inject({ method: 'DELETE', url, headers: bearer(owner.accessToken) });
    expect(twice.statusCode).toBe(403);
    expect(twice.json<{ error: string }>().error).toBe('already_revoked');
    expect((await t.app.inject({ method: 'POST', url: `${url}/resend`, headers: bearer(owner.accessToken) })).statusCode).toBe(400);
    expect(await members(owner.accessToken, workspace.id)).not.toContainEqual(expect.objectContaining({ userId: invitee.id }));
  });

  it('answers malformed and unknown tokens and ids as 404, never 500', async () => {
    const owner = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    for (const token of ['x', `inv_${'A'.repeat(43)}`, 'inv_%00', randomUUID()]) expect((await accept(t.app, owner.accessToken, token)).statusCode, token).toBe(404);
    for (const id of ['nope', randomUUID()]) expect((await t.app.inject({ method: 'DELETE', url: `/v1/workspaces/${workspace.id}/invitations/${id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(404);
  });

  it('audits creation, acceptance and revocation in the workspace log', async () => {
    const owner = await registerUser(t.app);
    const invitee = await registerUser(t.app);
    const workspace = await createWorkspace(t.app, owner.accessToken);
    const issued = await invite(t.app, owner.accessToken, workspace.id, invitee.email, 'viewer');
    await accept(t.app, invitee.accessToken, issued.token);
    const log = (await t.app.inject({ method: 'GET', url: `/v1/workspaces/${workspace.id}/audit`, headers: bearer(owner.accessToken) })).json<Array<{ action: string; actorId: string | null }>>();
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(['invitation.created', 'invitation.accepted', 'member.added']));
    expect(log.find((e) => e.action === 'member.added' && e.actorId === invitee.id)).toBeDefined();
    expect(JSON.stringify(log)).not.toContain(issued.token);
  });
});

describe(`the outbound-mail hook: INVITATION_HOOK_URL (${backend})`, () => {
  it('receives each invitation and resend with its token, for a mailer to send on', async () => {
    const received: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const t = await startApp({ logLevel: 'silent', env: { INVITATION_HOOK_URL: `http://127.0.0.1:${port}/invitations` } });
    try {
      const owner = await registerUser(t.app);
      const workspace = await createWorkspace(t.app, owner.accessToken);
      const email = `hooked-${randomUUID()}@example.com`;
      const issued = await invite(t.app, owner.accessToken, workspace.id, email, 'viewer');
      const resent = (await t.app.inject({ method: 'POST', url: `/v1/workspaces/${workspace.id}/invitations/${issued.id}/resend`, headers: bearer(owner.accessToken) })).json<{ token: string }>();
      // The hook is called before the answer goes out: both are here.
      expect(received).toEqual([
        expect.objectContaining({ type: 'invitation', email, role: 'viewer', workspaceId: workspace.id, invitationId: issued.id, token: issued.token }),
        expect.objectContaining({ invitationId: issued.id, token: resent.token }),
      ]);
    } finally {
      await t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe(`sign-up by invitation: SIGNUP=invite (${backend})`, () => {
  const register = (t: TestApp, email: string, invitationToken?: string) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'correct horse battery', ...(invitationToken !== undefined ? { invitationToken } : {}) } });

  it('registers the first account of an empty instance, then only emails holding a live invitation (403 signup_disabled otherwise)', async () => {
    // An empty instance: embedded only (the real database is shared by every suite).
    if (backend === 'real') return;
    const t = await startApp({ logLevel: 'silent', env: { SIGNUP: 'invite' } });
    try {
      const first = await register(t, `operator-${randomUUID()}@example.com`);
      expect(first.statusCode, first.body).toBe(201);
      const operator = first.json<{ accessToken: string }>().accessToken;
      const refused = await register(t, `walk-in-${randomUUID()}@example.com`);
      expect(refused.statusCode).toBe(403);
      expect(refused.json<{ error: string }>().error).toBe('signup_disabled');
      const workspace = await createWorkspace(t.app, operator);
      const email = `invited-${randomUUID()}@example.com`;
      const issued = await invite(t.app, operator, workspace.id, email, 'developer');
      expect((await register(t, `other-${randomUUID()}@example.com`, issued.token)).statusCode).toBe(403);
      const joined = await register(t, email, issued.token);
      expect(joined.statusCode, joined.body).toBe(201);
      const token = joined.json<{ accessToken: string }>().accessToken;
      const mine = (await t.app.inject({ method: 'GET', url: '/v1/workspaces', headers: bearer(token) })).json<Array<{ id: string; role: string; personal: boolean }>>();
      expect(mine).toEqual(expect.arrayContaining([expect.objectContaining({ id: workspace.id, role: 'developer' }), expect.objectContaining({ personal: true, role: 'owner' })]));
      // Spent: the same token registers no one else.
      expect((await register(t, email.replace('invited', 'again'), issued.token)).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('refuses with signup_disabled on a shared (non-empty) database too', async () => {
    const t = await startApp({ logLevel: 'silent', env: { SIGNUP: 'invite' } });
    try {
      // Make the instance non-empty whatever the backend.
      await t.deps.db.insertInto('users').values({ email: `seed-${randomUUID()}@example.com`, password_hash: 'x' }).execute();
      const refused = await register(t, `walk-in-${randomUUID()}@example.com`);
      expect(refused.statusCode).toBe(403);
      expect(refused.json<{ error: string }>().error).toBe('signup_disabled');
    } finally {
      await t.close();
    }
  });

  it('SIGNUP=open (the default) registers anyone, as before', async () => {
    const t = await startApp({ logLevel: 'silent' });
    try {
      expect(t.config.signup).toBe('open');
      expect((await register(t, `anyone-${randomUUID()}@example.com`)).statusCode).toBe(201);
    } finally {
      await t.close();
    }
  });
});
