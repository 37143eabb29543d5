import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor } from '@elyzor/sdk';
import { elyzor, elyzorJson, filesUnder, password, startElyzor, tempHome, uniqueEmail, type RunningElyzor } from './helpers.js';

/**
 * The whole life of a key through the built binary against a real Elyzor: login → project →
 * key → verify → rotate → revoke → audit export → logout, with `--json` parsed at each step,
 * HOME and XDG_CONFIG_HOME in a temporary directory checked afterwards.
 */
let server: RunningElyzor;
let home: ReturnType<typeof tempHome>;
let env: Record<string, string>;
const email = uniqueEmail('lifecycle');
const plaintexts: string[] = [];

beforeAll(async () => {
  server = await startElyzor();
  await new Elyzor({ baseUrl: server.baseUrl }).auth.register(email, password);
  home = tempHome();
  env = { HOME: home.home, XDG_CONFIG_HOME: join(home.home, 'xdg'), ELYZOR_URL: server.baseUrl };
});

afterAll(async () => {
  home?.remove();
  await server?.close();
});

describe('a key from login to audit export, through the binary', () => {
  let projectId = '';
  let keyId = '';
  let firstKey = '';
  let secondKey = '';

  it('login reads the password from stdin and keeps the session in $XDG_CONFIG_HOME/elyzor, mode 0600', async () => {
    const login = await elyzorJson<{ baseUrl: string; user: { email: string }; configFile: string }>(['login', '--email', email, '--password-stdin'], { env, input: `${password}\n` });
    expect(login.user.email).toBe(email);
    expect(login.configFile).toBe(join(home.home, 'xdg', 'elyzor', 'credentials.json'));
    const [file, ...others] = filesUnder(home.home);
    expect(others).toEqual([]);
    expect(file?.path).toBe(login.configFile);
    expect(file?.mode).toBe(0o600);
    expect(file?.text).not.toContain(password);
    expect((await elyzorJson<{ email: string }>(['whoami'], { env })).email).toBe(email);
  });

  it('a wrong password is exit 1 with the server\'s error, and nothing is stored', async () => {
    const other = tempHome();
    try {
      const run = await elyzor(['login', '--email', email, '--password-stdin'], { env: { ...env, XDG_CONFIG_HOME: join(other.home, 'xdg') }, input: 'not the password' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: .*\(invalid_credentials, HTTP 401, request /m);
      expect(filesUnder(other.home)).toEqual([]);
    } finally {
      other.remove();
    }
  });

  it('projects create and list', async () => {
    const project = await elyzorJson<{ id: string; name: string }>(['projects', 'create', 'cli-lifecycle'], { env });
    expect(project.name).toBe('cli-lifecycle');
    projectId = project.id;
    const listed = await elyzorJson<Array<{ id: string }>>(['projects', 'list'], { env });
    expect(listed.map((p) => p.id)).toContain(projectId);
    const table = await elyzor(['projects', 'list'], { env });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+WORKSPACE\s+CREATED$/);
    expect(table.stdout).toContain(projectId);
  });

  it('keys create maps every flag to its field, prints the plaintext once, and warns on stderr', async () => {
    const run = await elyzor(
      ['keys', 'create', projectId, '--label', 'checkout', '--scopes', 'read:invoices,write:invoices', '--expires', '30d', '--rate-limit', '100/60s', '--quota', '10000/month',
        '--credits', '500', '--refill', '1000/month', '--ip-allow', '203.0.113.0/24', '--tag', 'pro', '--tag', 'eu', '--owner', 'cus_42', '--metadata', '{"plan":"pro"}', '--json'],
      { env },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/shown only now/);
    const issued = JSON.parse(run.stdout) as Record<string, unknown> & { id: string; key: string };
    expect(issued).toMatchObject({
      label: 'checkout',
      scopes: ['read:invoices', 'write:invoices'],
      rateLimit: { limit: 100, windowSeconds: 60 },
      quota: { limit: 10000, period: 'month' },
      credits: { remaining: 500, refill: { amount: 1000, interval: 'month' } },
      ipAllowlist: ['203.0.113.0/24'],
      tags: ['pro', 'eu'],
      ownerId: 'cus_42',
      metadata: { plan: 'pro' },
    });
    const days = (Date.parse(String(issued.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect(issued.key).toMatch(/^sk_live_/);
    keyId = issued.id;
    firstKey = issued.key;
    plaintexts.push(firstKey);
    // Never shown again: not by get, not by list.
    const shown = [(await elyzor(['keys', 'get', projectId, keyId], { env })).stdout, (await elyzor(['keys', 'list', projectId, '--json'], { env })).stdout];
    for (const text of shown) {
      expect(text).toContain(keyId);
      expect(text).not.toContain(firstKey.split('.')[1]);
    }
  });

  it('verify: exit 0 when valid, 1 when refused, with the API\'s answer', async () => {
    const ok = await elyzorJson<{ valid: boolean; keyId: string }>(['verify', firstKey, '--scopes', 'read:invoices', '--ip', '203.0.113.9'], { env });
    expect(ok).toMatchObject({ valid: true, keyId });
    const refused = await elyzor(['verify', '-', '--scopes', 'admin:all', '--ip', '203.0.113.9', '--json'], { env, input: `${firstKey}\n` });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ valid: false, error: 'insufficient_scope' });
    const elsewhere = await elyzor(['verify', firstKey, '--ip', '198.51.100.1'], { env });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stdout).toMatch(/^refused: ip_not_allowed/);
  });

  it('keys update changes only what is named; --no-… clears', async () => {
    const updated = await elyzorJson<Record<string, unknown>>(['keys', 'update', projectId, keyId, '--scopes', 'read:invoices', '--no-quota', '--disable'], { env });
    expect(updated).toMatchObject({ scopes: ['read:invoices'], quota: null, enabled: false, status: 'disabled', ownerId: 'cus_42', tags: ['pro', 'eu'] });
    const enabled = await elyzorJson<Record<string, unknown>>(['keys', 'update', projectId, keyId, '--enable', '--no-expires', '--rate-limit', 'none'], { env });
    expect(enabled).toMatchObject({ enabled: true, expiresAt: null, status: 'active' });
  });

  it('rotate with --grace: the new key works, and the old one during the grace period', async () => {
    const rotated = await elyzorJson<{ id: string; key: string; previousKeyExpiresAt?: string }>(['keys', 'rotate', projectId, keyId, '--grace', '1h'], { env });
    expect(rotated.key).not.toBe(firstKey);
    expect(rotated.previousKeyExpiresAt).toBeDefined();
    secondKey = rotated.key;
    plaintexts.push(secondKey);
    expect((await elyzor(['verify', secondKey, '--ip', '203.0.113.9'], { env })).code).toBe(0);
    expect((await elyzor(['verify', firstKey, '--ip', '203.0.113.9'], { env })).code).toBe(0);
    keyId = rotated.id;
  });

  it('revoke: refused from then on; revoking again is exit 1 already_revoked', async () => {
    expect(await elyzorJson(['keys', 'revoke', projectId, keyId, '--reason', 'leaked in a log'], { env })).toEqual({ id: keyId, revoked: true });
    const refused = await elyzor(['verify', secondKey, '--ip', '203.0.113.9', '--json'], { env });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ valid: false, error: 'key_revoked' });
    const again = await elyzor(['keys', 'revoke', projectId, keyId, '--json'], { env });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: 'already_revoked', status: 403 });
  });

  it('audit export --format csv: every step, one header line', async () => {
    const run = await elyzor(['audit', 'export', projectId, '--format', 'csv'], { env });
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header).toMatch(/action/);
    for (const action of ['key.created', 'key.updated', 'key.rotated', 'key.revoked']) expect(rows.some((row) => row.includes(action))).toBe(true);
    const json = await elyzorJson<Array<{ action: string }>>(['audit', 'export', projectId, '--format', 'json', '--action', 'key.revoked'], { env });
    expect(json.map((e) => e.action)).toEqual(['key.revoked']);
  });

  it('stats: the verifications made above', async () => {
    const stats = await elyzorJson<{ totalRequests: number }>(['stats', projectId, '--range', '1d'], { env });
    expect(stats.totalRequests).toBeGreaterThanOrEqual(0);
  });

  it('logout ends the session and forgets it; commands then say to log in', async () => {
    expect(await elyzorJson(['logout'], { env })).toEqual({ baseUrl: server.baseUrl, loggedOut: true });
    const run = await elyzor(['projects', 'list'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not logged in to .*elyzor login/);
  });

  it('no plaintext key, secret or password was ever written under HOME', () => {
    const files = filesUnder(home.home);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file.mode).toBe(0o600);
      for (const key of plaintexts) expect(file.text).not.toContain(key.split('.')[1]);
      expect(file.text).not.toContain(password);
    }
  });
});
