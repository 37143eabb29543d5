/**
 * Starting Elyzor for a benchmark and talking to its management API.
 */
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, makeTempDir, ProcessSampler, removeTempDir, spawnTracked, stopChild } from './processes.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_MAIN = join(ROOT, 'packages/server/dist/main.js');

/** Keep-alive for the setup calls; the workers check uses `freshConnection` instead. */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });
/** One TCP connection per request, so that a cluster's round robin spreads them over workers. */
export const freshConnection = new Agent({ keepAlive: false, maxSockets: Infinity });

/** A JSON request; resolves with { status, body, headers } and never throws on a status. */
export function call(baseUrl, method, path, { body, token, agent = keepAlive, timeoutMs = 30_000 } = {}) {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = {};
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = text === '' ? null : JSON.parse(text);
        } catch {
          // Not JSON: keep the text.
        }
        resolvePromise({ status: res.statusCode, body: parsed, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like `call`, but the status must be `expected`; returns the body. */
export async function expect(baseUrl, method, path, expected, options) {
  const res = await call(baseUrl, method, path, options);
  if (res.status !== expected) {
    throw new Error(`${method} ${path}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** A fresh account and project; returns { accessToken, projectId }. */
export async function createAccount(baseUrl, label) {
  const email = `bench-${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const registered = await expect(baseUrl, 'POST', '/v1/auth/register', 201, { body: { email, password: 'bench password, long enough' } });
  const project = await expect(baseUrl, 'POST', '/v1/projects', 201, { body: { name: `bench ${label}` }, token: registered.accessToken });
  return { accessToken: registered.accessToken, projectId: project.id };
}

export async function createKey(baseUrl, account, body = {}) {
  return expect(baseUrl, 'POST', `/v1/projects/${account.projectId}/keys`, 201, { body, token: account.accessToken });
}

/** A root key of the account's workspace that may verify keys at `/v2/keys.verifyKey` (Unkey's `api.*.verify_key`). */
export async function createVerifyRootKey(baseUrl, account) {
  const [workspace] = await expect(baseUrl, 'GET', '/v1/workspaces', 200, { token: account.accessToken });
  const rootKey = await expect(baseUrl, 'POST', `/v1/workspaces/${workspace.id}/root-keys`, 201, { body: { name: 'bench', permissions: ['api.*.verify_key'] }, token: account.accessToken });
  return rootKey.key;
}

export async function totalRequests(baseUrl, account) {
  const stats = await expect(baseUrl, 'GET', `/v1/projects/${account.projectId}/stats?range=1d`, 200, { token: account.accessToken });
  return stats.totalRequests;
}

/**
 * Usage must end up exactly at `expected`. Usage is written off the response path, so the count
 * is read after a short wait and then again until it matches or `timeoutMs` passes; a count past
 * the expected one can never come back down and fails at once.
 */
export async function checkUsage(baseUrl, account, expected, { firstWaitMs = 1000, timeoutMs = 10_000 } = {}) {
  await sleep(firstWaitMs);
  const deadline = performance.now() + timeoutMs;
  let actual = await totalRequests(baseUrl, account);
  while (actual < expected && performance.now() < deadline) {
    await sleep(300);
    actual = await totalRequests(baseUrl, account);
  }
  return { expected, actual, pass: actual === expected };
}

/**
 * A running Elyzor: `url`, `pid`, a memory/CPU sampler, the warnings and errors it logged, and
 * `stop()` (graceful, as in production: usage is flushed before it exits).
 */
export async function startElyzor({ name, env: extraEnv = {}, nodeArgs = [], startTimeoutMs = 120_000 }) {
  const port = await freePort();
  // Its own working directory: a developer's .env in the repository must not change the run.
  const workDir = makeTempDir(`elyzor-bench-${name}-`);
  const env = { ...process.env };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'ELYZOR_WORKERS', 'KEY_PEPPER', 'TRUST_PROXY']) delete env[key];
  Object.assign(env, { NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: join(workDir, 'data'), LOG_LEVEL: 'warn' }, extraEnv);
  const logged = { warnings: 0, errors: 0, samples: [] };
  const tracked = spawnTracked(process.execPath, [...nodeArgs, SERVER_MAIN], {
    env,
    cwd: workDir,
    onLine(line) {
      // pino levels: 40 warn, 50 error, 60 fatal. Anything else on the streams is kept too.
      let level = 50;
      try {
        level = JSON.parse(line).level ?? 50;
      } catch {
        // Plain text on stderr (a crash, a config error): count it as an error.
      }
      if (level >= 50) logged.errors++;
      else if (level >= 40) logged.warnings++;
      else return;
      if (logged.samples.length < 20) logged.samples.push(line.slice(0, 500));
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  for (;;) {
    if (tracked.child.exitCode !== null || tracked.child.signalCode !== null) {
      removeTempDir(workDir);
      throw new Error(`Elyzor (${name}) exited while starting:\n${tracked.lines.slice(-20).join('\n')}`);
    }
    const health = await call(url, 'GET', '/v1/health', { timeoutMs: 5000 }).catch(() => null);
    if (health?.status === 200) break;
    if (performance.now() - started > startTimeoutMs) {
      await stopChild(tracked, { graceMs: 2000 });
      removeTempDir(workDir);
      throw new Error(`Elyzor (${name}) did not answer /v1/health within ${startTimeoutMs / 1000} s:\n${tracked.lines.slice(-20).join('\n')}`);
    }
    await sleep(100);
  }
  const startupSeconds = (performance.now() - started) / 1000;
  const sampler = new ProcessSampler(tracked.child.pid);
  return {
    name,
    url,
    pid: tracked.child.pid,
    startupSeconds,
    sampler,
    logged,
    lines: tracked.lines,
    async stop() {
      const outcome = await stopChild(tracked);
      sampler.stop();
      removeTempDir(workDir);
      return outcome;
    },
  };
}
