/// <reference lib="dom" />
// The callbacks given to page.evaluate run in the browser.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor } from '../../sdk/src/index.js';
import { startApp, type TestApp } from '../../server/test/helpers/harness.js';
import { WebhookReceiver } from '../../server/test/helpers/webhook-receiver.js';
import { buildDashboard, launch, openContext, screenshot, seriousViolations, type Watched } from './helpers.js';

/**
 * The dashboard end to end: a real Elyzor (embedded backend, on a free port) serving the
 * production build, and Debian's Chromium driving it as a person would. Every page visited is
 * checked with axe-core (no serious or critical violation) and for CSP violations.
 */
let t: TestApp;
let origin: string;
let browser: Browser;
let receiver: WebhookReceiver;

beforeAll(async () => {
  buildDashboard();
  t = await startApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  origin = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  receiver = await new WebhookReceiver().start();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await t?.close();
});

const PASSWORD = 'correct horse battery';
const email = (who: string): string => `${who}-${randomUUID().slice(0, 8)}@example.com`;

/** Every page a test visits: no serious accessibility violation, no CSP violation, optionally a screenshot. */
async function checkPage(watched: Watched, shot?: string): Promise<void> {
  expect(await seriousViolations(watched.page)).toEqual([]);
  expect(watched.problems).toEqual([]);
  if (shot !== undefined) await screenshot(watched.page, shot);
}

async function signUp(page: Page, address: string): Promise<void> {
  await page.goto('/dashboard/sign-up');
  await page.getByLabel('Email').fill(address);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: /^Projects/ }).waitFor();
}

async function createProject(page: Page, name: string): Promise<void> {
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { name }).waitFor();
}

/** The plaintext in the "shown once" panel. */
const shownSecret = async (page: Page): Promise<string> => (await page.getByTestId('secret').textContent()) ?? '';

describe('the dashboard in Chromium', () => {
  it('/ redirects to the dashboard; signed out, it is the sign-in form; a wrong password is an error on the form, not a reload', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    try {
      const response = await page.goto('/');
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.getByRole('heading', { name: 'Sign in to Elyzor' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
      const timing = await page.evaluate(() => {
        const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
        return navigation === undefined ? null : Math.round(navigation.loadEventEnd - navigation.startTime);
      });
      console.log(`dashboard: sign-in page load ${timing} ms (navigation start to load event)`);
      await checkPage(watched, 'sign-in');

      const address = email('wrong');
      await new Elyzor({ baseUrl: origin }).auth.register(address, PASSWORD);
      // A marker that a reload would wipe.
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await page.getByLabel('Email').fill(address);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      expect(await page.getByLabel('Email').inputValue()).toBe(address);
      await checkPage(watched);
    } finally {
      await watched.context.close();
    }
  });

  it('sign up → project → a key with a policy → copy it → verify it → its usage → rotate → revoke → the audit entries', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    try {
      await signUp(page, email('owner'));
      await page.getByText('No projects yet').waitFor();
      await checkPage(watched);
      await createProject(page, 'Billing');
      await page.getByText('No API keys yet').waitFor();
      await checkPage(watched);

      await page.getByRole('button', { name: 'Create API key' }).click();
      await page.getByLabel('Label').fill('Acme production');
      await page.getByLabel('Scopes').fill('read:invoices');
      await page.getByLabel('Tags').fill('acme');
      await page.getByLabel('Owner', { exact: true }).fill('cus_42');
      await page.getByLabel('Algorithm').selectOption('sliding_window');
      await page.getByLabel('Requests').fill('100');
      await page.getByLabel('Window (seconds)').fill('60');
      await page.getByLabel('Quota', { exact: true }).fill('1000');
      await checkPage(watched, 'create-key');
      await page.getByRole('button', { name: 'Create API key' }).click();

      const panel = page.getByRole('region', { name: 'Your new API key' });
      await panel.getByText('you won’t see this again').waitFor();
      const key = await shownSecret(page);
      expect(key).toMatch(/^sk_live_/);
      await panel.getByRole('button', { name: 'Copy' }).click();
      await panel.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
      await checkPage(watched, 'key-created');

      // The copied key, verified as an API would (curl-like: a plain fetch).
      const verify = async (scopes: string[], credential = key): Promise<{ valid: boolean; error?: string }> => {
        const answer = await fetch(`${origin}/v1/verify`, { method: 'POST', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: JSON.stringify({ scopes }) });
        return (await answer.json()) as { valid: boolean; error?: string };
      };
      expect(await verify(['read:invoices'])).toMatchObject({ valid: true });
      expect(await verify(['write:invoices'])).toMatchObject({ valid: false, error: 'insufficient_scope' });
      await t.deps.usage.flush();

      await panel.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('searchbox', { name: 'Search' }).fill('acme');
      await checkPage(watched, 'keys');
      await page.getByRole('link', { name: 'Acme production' }).click();
      await page.getByTestId('usage-total').filter({ hasText: '2 verifications in this range' }).waitFor();
      await checkPage(watched, 'key');

      await page.getByRole('link', { name: 'Analytics' }).click();
      const figures = page.getByTestId('figures');
      await figures.getByText('50.0 %').waitFor();
      expect(await figures.textContent()).toContain('Requests2');
      await checkPage(watched, 'analytics');

      await page.getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('link', { name: 'Acme production' }).click();
      // Disable, enable, edit: each applies on the next verification.
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('button', { name: 'Enable' }).waitFor();
      expect(await verify(['read:invoices'])).toMatchObject({ valid: false });
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByRole('button', { name: 'Disable' }).waitFor();
      expect(await verify(['read:invoices'])).toMatchObject({ valid: true });
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Label').fill('Acme live');
      await page.getByLabel('Scopes').fill('read:invoices write:invoices');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('heading', { name: 'Acme live' }).waitFor();
      expect(await verify(['write:invoices'])).toMatchObject({ valid: true });

      await page.getByLabel('Grace period (seconds)').fill('600');
      await page.getByRole('button', { name: 'Rotate' }).click();
      await page.getByRole('region', { name: /^The replacement key; the old one works until/ }).waitFor();
      const replacement = await shownSecret(page);
      expect(replacement).toMatch(/^sk_live_/);
      expect(replacement).not.toBe(key);
      // Within the grace period both work.
      expect(await verify(['read:invoices'])).toMatchObject({ valid: true });
      expect(await verify(['read:invoices'], replacement)).toMatchObject({ valid: true });

      await page.getByLabel('Reason').fill('leaked in a support ticket');
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('leaked in a support ticket').waitFor();
      // The old key, revoked before its grace period ended; its replacement lives on.
      expect(await verify(['read:invoices'])).toMatchObject({ valid: false, error: 'key_revoked' });
      expect(await verify(['read:invoices'], replacement)).toMatchObject({ valid: true });

      await page.getByRole('link', { name: 'Audit log' }).click();
      for (const action of ['key.created', 'key.rotated', 'key.revoked']) await page.getByRole('cell', { name: action, exact: true }).first().waitFor();
      await checkPage(watched, 'audit');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).click();
      expect((await download).suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    } finally {
      await watched.context.close();
    }
  });

  it('an invited viewer signs up through the invite link, sees the team project, and no create button', async () => {
    const owner = await openContext(browser, origin);
    const invitee = await openContext(browser, origin);
    const viewerEmail = email('viewer');
    try {
      await signUp(owner.page, email('lead'));
      await owner.page.getByRole('link', { name: 'Team' }).click();
      await owner.page.getByLabel('New workspace name').fill('Acme team');
      await owner.page.getByRole('button', { name: 'Create workspace' }).click();
      await owner.page.getByRole('heading', { name: 'Team · Acme team' }).waitFor();
      await owner.page.getByLabel('Email to invite').fill(viewerEmail);
      await owner.page.getByLabel('Role', { exact: true }).selectOption('viewer');
      await owner.page.getByRole('button', { name: 'Invite' }).click();
      await owner.page.getByRole('region', { name: 'Invite link' }).waitFor();
      const link = await shownSecret(owner.page);
      expect(link).toMatch(/\/dashboard\/invite\?token=/);
      await owner.page.getByRole('link', { name: 'Projects' }).click();
      await createProject(owner.page, 'Acme shop');
      await owner.page.getByRole('button', { name: 'Create API key' }).waitFor();
      await owner.page.getByRole('link', { name: 'Team' }).click();
      await owner.page.getByText(`${viewerEmail} · viewer · pending`).waitFor();
      // A root key: its permissions chosen, its plaintext shown once, then revoked.
      await owner.page.getByLabel('Root key name').fill('CI deploys');
      await owner.page.getByLabel('project.*.create_key').check();
      await owner.page.getByRole('button', { name: 'Create root key' }).click();
      await owner.page.getByRole('region', { name: 'Your new root key' }).waitFor();
      const rootKey = await shownSecret(owner.page);
      expect(rootKey).toMatch(/^rk_live_/);
      await checkPage(owner, 'team');
      await owner.page.getByRole('button', { name: 'Done' }).click();
      await owner.page.getByText('CI deploys').waitFor();
      await owner.page.getByRole('listitem').filter({ hasText: 'CI deploys' }).getByRole('button', { name: 'Revoke' }).click();
      await owner.page.getByText(/CI deploys .* · revoked$/).waitFor();

      await invitee.page.goto(link);
      await invitee.page.getByLabel('Email (the invited address)').fill(viewerEmail);
      await invitee.page.getByLabel('Choose a password').fill(PASSWORD);
      await checkPage(invitee);
      await invitee.page.getByRole('button', { name: 'Sign up and join' }).click();
      await invitee.page.getByRole('heading', { name: /^Projects/ }).waitFor();
      await invitee.page.getByLabel('Workspace').selectOption({ label: 'Acme team (viewer)' });
      await invitee.page.getByRole('link', { name: 'Acme shop' }).click();
      await invitee.page.getByText('No API keys yet').waitFor();
      await invitee.page.getByText('Someone with the developer role or above can create one.').waitFor();
      expect(await invitee.page.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
      await checkPage(invitee);
      await invitee.page.getByRole('link', { name: 'Webhooks' }).click();
      await invitee.page.getByText('Webhooks are managed by admins').waitFor();
    } finally {
      await owner.context.close();
      await invitee.context.close();
    }
  });

  it('a webhook: created with its secret shown once, a test event sent, its delivery seen and redelivered', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    try {
      await signUp(page, email('hooks'));
      await createProject(page, 'Hooks');
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByText('No webhooks yet').waitFor();
      await page.getByLabel('Endpoint URL').fill(receiver.url('/dashboard-hook'));
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await page.getByRole('region', { name: 'Signing secret' }).waitFor();
      expect(await shownSecret(page)).toMatch(/^whsec_/);
      await page.getByRole('button', { name: 'Send a test event' }).click();
      await page.getByText('webhook.test').waitFor();
      await t.deps.webhookWorker.runOnce();
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await page.getByRole('list', { name: 'Deliveries' }).getByText('delivered').waitFor();
      expect(receiver.received.some((r) => r.path === '/dashboard-hook' && r.body.includes('webhook.test'))).toBe(true);
      await checkPage(watched, 'webhooks');
      // Redeliver: once the API has accepted it, the next round of the worker sends it again.
      const accepted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/redeliver'));
      await page.getByRole('button', { name: 'Redeliver' }).first().click();
      expect((await accepted).status()).toBeLessThan(300);
      await t.deps.webhookWorker.runOnce();
      expect(receiver.received.filter((r) => r.path === '/dashboard-hook').length).toBe(2);
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await page.getByRole('list', { name: 'Deliveries' }).getByText('2 attempt(s)', { exact: false }).waitFor();
    } finally {
      await watched.context.close();
    }
  });

  it('a session ended elsewhere: the next action lands on the sign-in form saying so; a reload keeps a live session', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    const address = email('expiry');
    try {
      await signUp(page, address);
      // The refresh cookie (HttpOnly) resumes the session after a reload; the access token was only in memory.
      const cookies = await watched.context.cookies();
      expect(cookies.find((c) => c.name === 'refreshToken')).toMatchObject({ httpOnly: true, path: '/v1/auth', sameSite: 'Strict' });
      await page.reload();
      await page.getByRole('heading', { name: /^Projects/ }).waitFor();

      const elsewhere = new Elyzor({ baseUrl: origin });
      await elsewhere.auth.login(address, PASSWORD);
      await elsewhere.auth.logoutAll();
      await page.getByRole('link', { name: 'Team' }).click();
      await page.getByText('Your session has expired. Sign in again.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
      await page.getByLabel('Email').fill(address);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: /^Team/ }).waitFor();
    } finally {
      await watched.context.close();
    }
  });

  it('at 375 px wide: no sideways scrolling, the navigation and the create button reachable by keyboard', async () => {
    const watched = await openContext(browser, origin, { width: 375, height: 812 });
    const { page } = watched;
    try {
      await signUp(page, email('phone'));
      await createProject(page, 'Mobile');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Keyboard only: Tab reaches the create button, Enter opens the form.
      let focused = '';
      for (let step = 0; step < 40 && focused !== 'Create API key'; step++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      }
      expect(focused).toBe('Create API key');
      const outline = await page.evaluate(() => (document.activeElement === null ? 'none' : getComputedStyle(document.activeElement).outlineStyle));
      expect(outline).not.toBe('none');
      await page.keyboard.press('Enter');
      await page.getByRole('form', { name: 'Create API key' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await checkPage(watched, 'mobile-create-key');
    } finally {
      await watched.context.close();
    }
  });
});

/** A person signed in through the SDK (for the other side of a test: an invitee, a check of what the API now says). */
async function viaSdk(address: string, register = true): Promise<Elyzor> {
  const client = new Elyzor({ baseUrl: origin });
  if (register) await client.auth.register(address, PASSWORD);
  else await client.auth.login(address, PASSWORD);
  return client;
}

describe('managing things in Chromium', () => {
  it('services: create a service identity, find it in the list, rotate it, revoke it', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    const verifyService = async (credential: string): Promise<{ valid: boolean; error?: string }> => {
      const answer = await fetch(`${origin}/v1/verify/service`, { method: 'POST', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: '{}' });
      return (await answer.json()) as { valid: boolean; error?: string };
    };
    try {
      await signUp(page, email('mesh'));
      await createProject(page, 'Mesh');
      await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Services' }).click();
      await page.getByText('No services yet').waitFor();
      await checkPage(watched);
      await page.getByRole('button', { name: 'Create service' }).click();
      await page.getByLabel('Name', { exact: true }).fill('billing-worker');
      await page.getByLabel('Scopes').fill('invoices:write');
      await checkPage(watched);
      await page.getByRole('button', { name: 'Create service' }).click();
      await page.getByRole('region', { name: 'Your new service' }).waitFor();
      const secret = await shownSecret(page);
      expect(secret).toMatch(/^svc_live_/);
      expect(await verifyService(secret)).toMatchObject({ valid: true });
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('searchbox', { name: 'Search' }).fill('billing');
      await page.getByRole('link', { name: 'billing-worker' }).waitFor();
      await checkPage(watched, 'services');

      await page.getByRole('link', { name: 'billing-worker' }).click();
      await page.getByLabel('Grace period (seconds)').fill('0');
      await page.getByRole('button', { name: 'Rotate' }).click();
      await page.getByRole('region', { name: /^The replacement credential/ }).waitFor();
      const replacement = await shownSecret(page);
      expect(replacement).toMatch(/^svc_live_/);
      expect(replacement).not.toBe(secret);
      expect(await verifyService(replacement)).toMatchObject({ valid: true });
      expect(await verifyService(secret)).toMatchObject({ valid: false });
      await checkPage(watched);

      // The replacement is a record of its own: revoke it from its page.
      await page.getByRole('link', { name: '← All services' }).click();
      await page.getByRole('searchbox', { name: 'Search' }).fill('billing');
      // The list may first show what it held before the rotation (one row, still active): wait
      // for the refreshed one, which holds the rotated-away record beside its replacement.
      await page.getByRole('link', { name: 'billing-worker' }).nth(1).waitFor();
      await page.getByRole('row').filter({ hasText: 'active' }).getByRole('link', { name: 'billing-worker' }).click();
      await page.getByLabel('Reason').fill('decommissioned');
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('decommissioned').waitFor();
      expect(await verifyService(replacement)).toMatchObject({ valid: false, error: 'service_revoked' });
    } finally {
      await watched.context.close();
    }
  });

  it('a project renamed from the list: the new name everywhere; a blank name refused before it is sent', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    try {
      await signUp(page, email('renamer'));
      await createProject(page, 'Draft');
      await page.getByRole('link', { name: 'Projects' }).click();
      await page.getByRole('button', { name: 'Rename Draft' }).click();
      const field = page.getByLabel('New name for Draft');
      await field.fill('   ');
      await page.getByRole('button', { name: 'Rename project' }).click();
      await page.getByRole('alert').filter({ hasText: 'Give it a name.' }).waitFor();
      await checkPage(watched);
      await field.fill('Checkout');
      await page.getByRole('button', { name: 'Rename project' }).click();
      await page.getByRole('link', { name: 'Checkout' }).click();
      await page.getByRole('heading', { name: 'Checkout' }).waitFor();
      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('cell', { name: 'project.updated', exact: true }).waitFor();
    } finally {
      await watched.context.close();
    }
  });

  it('the team: a member’s role changed and a project role set, then removed; an invitation revoked; a root key rotated', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    const ownerEmail = email('owner');
    const memberEmail = email('member');
    const pendingEmail = email('pending');
    try {
      await signUp(page, ownerEmail);
      await page.getByRole('link', { name: 'Team' }).click();
      await page.getByLabel('New workspace name').fill('Platform');
      await page.getByRole('button', { name: 'Create workspace' }).click();
      await page.getByRole('heading', { name: 'Team · Platform' }).waitFor();
      await page.getByRole('link', { name: 'Projects' }).click();
      await createProject(page, 'Gateway');
      // A member who joined through an invitation, and one invitation still pending.
      const owner = await viaSdk(ownerEmail, false);
      const workspace = (await owner.workspaces.list()).items.find((w) => w.name === 'Platform');
      const member = await viaSdk(memberEmail);
      await member.invitations.accept((await owner.invitations.create(workspace?.id ?? '', { email: memberEmail, role: 'developer' })).token);
      await owner.invitations.create(workspace?.id ?? '', { email: pendingEmail, role: 'viewer' });
      const memberId = (await member.auth.me()).id;

      // Made behind the page's back: a reload shows them (the page's data is fresh for 5 s).
      await page.getByRole('link', { name: 'Team' }).click();
      await page.reload();
      await page.getByLabel(`Role of ${memberEmail}`, { exact: true }).selectOption('viewer');
      await expect.poll(async () => (await owner.members.list(workspace?.id ?? '')).items.find((m) => m.userId === memberId)?.role).toBe('viewer');
      await page.getByLabel(`Role of ${memberEmail}`, { exact: true }).selectOption('developer');
      await expect.poll(async () => (await owner.members.list(workspace?.id ?? '')).items.find((m) => m.userId === memberId)?.role).toBe('developer');

      // A narrower role in one project, shown with the workspace role, then removed.
      const roles = page.getByRole('region', { name: 'Project roles' });
      await roles.getByLabel('Project', { exact: true }).selectOption({ label: 'Gateway' });
      await roles.getByLabel('Member').selectOption({ label: `${memberEmail} (developer)` });
      await roles.getByLabel('Project role', { exact: true }).selectOption('viewer');
      await roles.getByRole('button', { name: 'Set project role' }).click();
      const projectRole = roles.getByLabel(`Role of ${memberEmail} in Gateway`, { exact: true });
      expect(await projectRole.inputValue()).toBe('viewer');
      await roles.getByText(`${memberEmail} in Gateway (workspace role: developer)`).waitFor();
      const gateway = (await owner.projects.list()).items.find((p) => p.name === 'Gateway');
      expect(await owner.members.projectRoles(gateway?.id ?? '')).toEqual([expect.objectContaining({ userId: memberId, role: 'viewer', workspaceRole: 'developer' })]);
      await checkPage(watched);
      // Changed in place.
      await projectRole.selectOption('developer');
      await expect.poll(async () => (await owner.members.projectRoles(gateway?.id ?? ''))[0]?.role).toBe('developer');
      await roles.getByRole('button', { name: `Remove the project role of ${memberEmail} in Gateway` }).click();
      await projectRole.waitFor({ state: 'detached' });
      expect(await owner.members.projectRoles(gateway?.id ?? '')).toEqual([]);

      // The pending invitation revoked: its line says so and its token admits no one.
      const invitation = page.getByRole('listitem').filter({ hasText: pendingEmail });
      await invitation.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText(`${pendingEmail} · viewer · revoked`).waitFor();

      // A root key rotated: a new secret shown once; the old one refused, the new one accepted.
      await page.getByLabel('Root key name').fill('Deploys');
      await page.getByLabel('project.*.read_key').check();
      // A permission of the Unkey-compatible API, from its own group.
      await page.getByLabel('identity.*.read_identity').check();
      await page.getByRole('button', { name: 'Create root key' }).click();
      await page.getByRole('region', { name: 'Your new root key' }).waitFor();
      const first = await shownSecret(page);
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('listitem').filter({ hasText: 'Deploys' }).getByRole('button', { name: 'Rotate' }).click();
      await page.getByRole('region', { name: 'The new secret of Deploys' }).waitFor();
      const second = await shownSecret(page);
      expect(second).toMatch(/^rk_live_/);
      expect(second).not.toBe(first);
      const projectsWith = async (rootKey: string): Promise<number> => (await fetch(`${origin}/v1/projects`, { headers: { authorization: `Bearer ${rootKey}` } })).status;
      expect(await projectsWith(first)).toBe(401);
      expect(await projectsWith(second)).toBe(200);
      const identities = await fetch(`${origin}/v2/identities.listIdentities`, { method: 'POST', headers: { authorization: `Bearer ${second}`, 'content-type': 'application/json' }, body: '{}' });
      expect(identities.status).toBe(200);
      await checkPage(watched);
      await page.getByRole('button', { name: 'Done' }).click();
      await checkPage(watched, 'team-roles');

      // The member removed: gone from the list, and from the workspace.
      await page.getByRole('listitem').filter({ hasText: memberEmail }).getByRole('button', { name: 'Remove' }).click();
      await page.getByLabel(`Role of ${memberEmail}`, { exact: true }).waitFor({ state: 'detached' });
      expect((await owner.members.list(workspace?.id ?? '')).items.map((m) => m.userId)).not.toContain(memberId);
    } finally {
      await watched.context.close();
    }
  });

  it('a webhook edited (URL, events, paused) and its signing secret rotated, shown once', async () => {
    const watched = await openContext(browser, origin);
    const { page } = watched;
    try {
      await signUp(page, email('hooks2'));
      await createProject(page, 'Events');
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByLabel('Endpoint URL').fill(receiver.url('/first'));
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await page.getByRole('region', { name: 'Signing secret' }).waitFor();
      const secret = await shownSecret(page);
      await page.getByRole('button', { name: 'Done' }).click();

      await page.getByRole('button', { name: 'Edit' }).click();
      const form = page.getByRole('form', { name: 'Save webhook' });
      await form.getByLabel('Endpoint URL').fill(receiver.url('/second'));
      await form.getByLabel('key.created').uncheck();
      await form.getByLabel('service.created').check();
      await form.getByLabel(/^Enabled/).uncheck();
      await checkPage(watched);
      await form.getByRole('button', { name: 'Save webhook' }).click();
      await form.waitFor({ state: 'detached' });
      await page.getByText(receiver.url('/second')).waitFor();
      await page.getByText('disabled', { exact: true }).waitFor();
      await page.getByText('key.rotated, key.revoked, service.created', { exact: true }).waitFor();

      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('region', { name: 'New signing secret' }).waitFor();
      const rotated = await shownSecret(page);
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
      await checkPage(watched, 'webhook-edit');
    } finally {
      await watched.context.close();
    }
  });
});
