import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../packages/server/test/helpers/webhook-receiver.js';
import { startElyzor, type RunningElyzor } from '../../packages/sdk/test/helpers.js';

/**
 * The Python and Go clients' own suites (`unittest`, `go test`), run against a real Elyzor
 * started here on a free port (the backend of this test project), set up through the HTTP API:
 * a user, a team workspace with a project, and a root key with what the clients need. The
 * suites get it in the environment (ELYZOR_URL, ELYZOR_ROOT_KEY, ELYZOR_PROJECT_ID, …) and fail
 * this test, with their output, when they fail. They also get a webhook delivery that this
 * Elyzor signed and sent (ELYZOR_WEBHOOK_DELIVERY, a JSON file of its secret, headers and body),
 * so their signature check is held to what the server really sends.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const ROOT_KEY_PERMISSIONS = [
  ...['read_key', 'create_key', 'update_key', 'rotate_key', 'revoke_key', 'read_service', 'create_service', 'update_service', 'rotate_service', 'revoke_service', 'read_analytics', 'delete_project'].map(
    (action) => `project.*.${action}`,
  ),
  'workspace.read',
  'workspace.create_project',
];

let elyzor: RunningElyzor;
let env: Record<string, string>;
const scratch = mkdtempSync(join(tmpdir(), 'elyzor-clients-'));

async function call<T>(method: string, path: string, token: string | null, body: unknown): Promise<T> {
  const response = await fetch(`${elyzor.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  // Webhooks to 127.0.0.1 (the receiver below) are allowed here; deliveries are sent when this test runs the worker.
  elyzor = await startElyzor({ logLevel: 'silent', env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const { accessToken } = await call<{ accessToken: string }>('POST', '/v1/auth/register', null, { email: `clients-${randomUUID()}@example.com`, password: 'correct horse battery' });
  const workspace = await call<{ id: string }>('POST', '/v1/workspaces', accessToken, { name: 'clients' });
  const project = await call<{ id: string }>('POST', '/v1/projects', accessToken, { name: 'clients', workspaceId: workspace.id });
  const rootKey = await call<{ key: string }>('POST', `/v1/workspaces/${workspace.id}/root-keys`, accessToken, { name: 'clients', permissions: ROOT_KEY_PERMISSIONS });
  env = { ELYZOR_URL: elyzor.baseUrl, ELYZOR_ROOT_KEY: rootKey.key, ELYZOR_ACCESS_TOKEN: accessToken, ELYZOR_PROJECT_ID: project.id, ELYZOR_WORKSPACE_ID: workspace.id };

  const receiver = await new WebhookReceiver().start();
  try {
    const hook = await call<{ secret: string }>('POST', `/v1/projects/${project.id}/webhooks`, accessToken, { url: receiver.url(), events: ['key.created'] });
    await call('POST', `/v1/projects/${project.id}/keys`, accessToken, { label: 'for the webhook' });
    expect(await elyzor.server.deps.webhookWorker.runOnce()).toBe(1);
    const [delivery] = receiver.received;
    if (delivery === undefined) throw new Error('no webhook delivery arrived');
    const file = join(scratch, 'delivery.json');
    writeFileSync(file, JSON.stringify({ secret: hook.secret, headers: delivery.headers, body: delivery.body }), { mode: 0o600 });
    env.ELYZOR_WEBHOOK_DELIVERY = file;
  } finally {
    await receiver.close();
  }
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await elyzor?.close();
});

/** Runs a suite without blocking this process (the server answers from it meanwhile). */
function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env, ...extra }, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const goAvailable = await new Promise<boolean>((resolve) => execFile('go', ['version'], (error) => resolve(error === null)));
const goRequired = process.env.CI !== undefined || process.env.ELYZOR_REQUIRE_GO !== undefined;

describe('clients', () => {
  it('python: unittest discover -s clients/python/tests', async () => {
    const { code, output } = await run('python3', ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-t', 'clients/python'], root, {
      PYTHONPATH: join(root, 'clients/python/src'),
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(code, output).toBe(0);
    // Every test ran: none skipped for want of a server.
    expect(output, output).toMatch(/^OK$/m);
  }, 240_000);

  const goName = goAvailable || goRequired ? 'go: go test ./... in clients/go' : 'go: skipped, `go` is not installed (with CI or ELYZOR_REQUIRE_GO set this fails instead)';
  it.skipIf(!goAvailable && !goRequired)(goName, async () => {
    expect(goAvailable, 'go is not installed (CI or ELYZOR_REQUIRE_GO is set, so the Go suite must run)').toBe(true);
    // Offline: the module has no dependencies, and the build cache outlives the run (faster reruns).
    const cache = join(tmpdir(), 'elyzor-go');
    mkdirSync(cache, { recursive: true });
    const { code, output } = await run('go', ['test', '-count=1', '-v', './...'], join(root, 'clients/go'), {
      GOPROXY: 'off',
      GOFLAGS: '-mod=mod',
      GOTOOLCHAIN: 'local',
      GOCACHE: process.env.GOCACHE ?? join(cache, 'cache'),
      GOPATH: process.env.GOPATH ?? join(cache, 'path'),
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(/^ok\s/m);
    expect(output, output).not.toMatch(/--- SKIP/);
  }, 240_000);
});
