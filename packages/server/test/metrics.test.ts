import http from 'node:http';
import { generateCredential } from '@elyzor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, createService, startApp, userWithProject, verifyKey, verifyService, type TestApp } from './helpers/harness.js';

/** One sample of the text format: its name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (what these tests need of it: samples, HELP and TYPE lines). */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) {
      types.set(type[1] ?? '', type[2] ?? '');
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    const raw = match[3] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: raw === '+Inf' ? Infinity : Number(raw) });
  }
  return { samples, types };
}

/** The value of the sample with exactly these labels (among those given), or undefined. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(t: TestApp): Promise<Sample[]> {
  const response = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode, response.body).toBe(200);
  return parseMetrics(response.body).samples;
}

const verified = (samples: Sample[], endpoint: string, outcome: string): number => valueOf(samples, 'elyzor_verifications_total', { endpoint, outcome }) ?? NaN;

/** A GET over a real socket (the separate metrics port). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

describe(`metrics (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { RATE_LIMIT_DEFAULT: '1000000' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves GET /metrics in the Prometheus text format, with HELP and TYPE for every metric', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseMetrics(response.body);
    expect(types.get('elyzor_verifications_total')).toBe('counter');
    expect(types.get('elyzor_verification_duration_seconds')).toBe('histogram');
    expect(types.get('elyzor_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('elyzor_credential_cache_hits_total')).toBe('counter');
    expect(types.get('elyzor_credential_cache_misses_total')).toBe('counter');
    expect(types.get('elyzor_usage_buffered')).toBe('gauge');
    expect(types.get('elyzor_usage_dropped_total')).toBe('counter');
    expect(types.get('elyzor_backend_up')).toBe('gauge');
    expect(types.get('elyzor_webhook_deliveries_total')).toBe('counter');
    for (const sample of samples) expect(Number.isNaN(sample.value), `${sample.name} ${JSON.stringify(sample.labels)}`).toBe(false);
    // Every outcome of both endpoints is there from the start, at its count.
    for (const endpoint of ['/v1/verify', '/v1/verify/service']) {
      for (const outcome of ['valid', 'invalid_key', 'key_revoked', 'rate_limit_exceeded', 'quota_exceeded', 'service_unavailable']) {
        expect(verified(samples, endpoint, outcome), `${endpoint} ${outcome}`).toBeGreaterThanOrEqual(0);
      }
    }
    // Every webhook result is exported (at 0 until a delivery is counted).
    for (const result of ['success', 'http_error', 'timeout', 'network_error', 'refused']) {
      expect(valueOf(samples, 'elyzor_webhook_deliveries_total', { result })).toBe(0);
    }
  });

  it('counts verifications by endpoint and outcome, and their latency, in both lanes', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const revoked = await createKey(t.app, user.accessToken, projectId);
    const service = await createService(t.app, user.accessToken, projectId);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${revoked.id}`, headers: bearer(user.accessToken) })).statusCode).toBe(204);
    const before = await scrape(t);

    for (let i = 0; i < 3; i++) expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    // A query string sends the request through Fastify's route instead of the verify lane.
    expect((await t.app.inject({ method: 'POST', url: '/v1/verify?via=fastify', headers: bearer(key.key) })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await verifyKey(t.app, generateCredential('sk').token)).statusCode).toBe(401);
    expect((await verifyKey(t.app, revoked.key)).statusCode).toBe(403);
    expect((await verifyService(t.app, service.key)).statusCode).toBe(200);
    expect((await verifyService(t.app, key.key)).statusCode).toBe(401);

    const after = await scrape(t);
    const delta = (endpoint: string, outcome: string): number => verified(after, endpoint, outcome) - verified(before, endpoint, outcome);
    expect(delta('/v1/verify', 'valid')).toBe(4);
    expect(delta('/v1/verify', 'invalid_key')).toBe(2);
    expect(delta('/v1/verify', 'key_revoked')).toBe(1);
    expect(delta('/v1/verify/service', 'valid')).toBe(1);
    expect(delta('/v1/verify/service', 'invalid_key')).toBe(1);
    expect(delta('/v1/verify', 'rate_limit_exceeded')).toBe(0);

    const histogram = (samples: typeof after, endpoint: string) => samples.filter((s) => s.name === 'elyzor_verification_duration_seconds_bucket' && s.labels.endpoint === endpoint);
    const count = (samples: typeof after, endpoint: string): number => valueOf(samples, 'elyzor_verification_duration_seconds_count', { endpoint }) ?? NaN;
    expect(count(after, '/v1/verify') - count(before, '/v1/verify')).toBe(7);
    expect(count(after, '/v1/verify/service') - count(before, '/v1/verify/service')).toBe(2);
    const buckets = histogram(after, '/v1/verify');
    // Buckets suited to sub-millisecond answers, cumulative, ending at +Inf = the count.
    expect(buckets.map((b) => b.labels.le).slice(0, 4)).toEqual(['0.00005', '0.0001', '0.00025', '0.0005']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value ?? 0);
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: count(after, '/v1/verify') });
    expect(valueOf(after, 'elyzor_verification_duration_seconds_sum', { endpoint: '/v1/verify' })).toBeGreaterThan(0);
  });

  it('counts cache hits and misses, and management requests by route pattern and status class', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const before = await scrape(t);
    for (let i = 0; i < 4; i++) expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/key_nope`, headers: bearer(user.accessToken) })).statusCode).toBe(404);
    const after = await scrape(t);
    const delta = (name: string, labels: Record<string, string> = {}): number => (valueOf(after, name, labels) ?? 0) - (valueOf(before, name, labels) ?? 0);
    // The first verification reads the store; the next three are answered from memory.
    expect(delta('elyzor_credential_cache_misses_total')).toBe(1);
    expect(delta('elyzor_credential_cache_hits_total')).toBe(3);
    expect(valueOf(after, 'elyzor_credential_cache_entries')).toBeGreaterThanOrEqual(1);
    const route = '/v1/projects/:projectId/keys/:keyId';
    expect(delta('elyzor_http_request_duration_seconds_count', { method: 'GET', route, status: '2xx' })).toBe(1);
    expect(delta('elyzor_http_request_duration_seconds_count', { method: 'GET', route, status: '4xx' })).toBe(1);
    // Verifications are not in the management histogram.
    expect(after.some((s) => s.name.startsWith('elyzor_http_request_duration_seconds') && (s.labels.route ?? '').startsWith('/v1/verify'))).toBe(false);
  });

  it('reports the usage buffer: depth, events written and dropped', async () => {
    // No timer flush during the test: the buffer holds exactly what was verified.
    const slow = await startApp({ env: { USAGE_FLUSH_INTERVAL_MS: '60000', RATE_LIMIT_DEFAULT: '1000000' } });
    try {
      const { user, projectId } = await userWithProject(slow.app);
      const key = await createKey(slow.app, user.accessToken, projectId);
      await slow.deps.usage.flush();
      const before = await scrape(slow);
      for (let i = 0; i < 5; i++) expect((await verifyKey(slow.app, key.key)).statusCode).toBe(200);
      expect(valueOf(await scrape(slow), 'elyzor_usage_buffered')).toBe(5);
      await slow.deps.usage.flush();
      const after = await scrape(slow);
      expect(valueOf(after, 'elyzor_usage_buffered')).toBe(0);
      expect((valueOf(after, 'elyzor_usage_written_total') ?? 0) - (valueOf(before, 'elyzor_usage_written_total') ?? 0)).toBe(5);
      expect(valueOf(after, 'elyzor_usage_dropped_total')).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('reports backend health on each scrape, and the Redis limiter and denylist where Redis is configured', async () => {
    const samples = await scrape(t);
    expect(valueOf(samples, 'elyzor_backend_up', { backend: 'database' })).toBe(1);
    if (backend === 'real') {
      expect(valueOf(samples, 'elyzor_backend_up', { backend: 'redis' })).toBe(1);
      expect(valueOf(samples, 'elyzor_limiter_fallbacks_total')).toBe(0);
      expect(valueOf(samples, 'elyzor_limiter_circuit_open')).toBe(0);
      expect(valueOf(samples, 'elyzor_denylist_redis_fast_path')).toBeGreaterThanOrEqual(0);
    } else {
      // No Redis: no Redis series at all (rather than a misleading 0).
      expect(valueOf(samples, 'elyzor_backend_up', { backend: 'redis' })).toBeUndefined();
      expect(valueOf(samples, 'elyzor_limiter_fallbacks_total')).toBeUndefined();
    }

    const broken = await startApp();
    try {
      expect(valueOf(await scrape(broken), 'elyzor_backend_up', { backend: 'database' })).toBe(1);
      await broken.deps.database.close();
      expect(valueOf(await scrape(broken), 'elyzor_backend_up', { backend: 'database' })).toBe(0);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });

  it('counts webhook deliveries by result', async () => {
    const before = valueOf(await scrape(t), 'elyzor_webhook_deliveries_total', { result: 'timeout' }) ?? NaN;
    t.deps.metrics.webhookDelivery('timeout');
    t.deps.metrics.webhookDelivery('timeout');
    const after = await scrape(t);
    expect((valueOf(after, 'elyzor_webhook_deliveries_total', { result: 'timeout' }) ?? NaN) - before).toBe(2);
  });

  it('never puts a credential, token or id in a label or value name', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    const service = await createService(t.app, user.accessToken, projectId);
    await verifyKey(t.app, key.key);
    await verifyService(t.app, service.key);
    await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) });
    await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}-${'x'.repeat(40)}`, headers: bearer(user.accessToken) });
    await t.app.inject({ method: 'GET', url: `/no/such/${key.id}` });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const publicId = key.key.split('_')[2]?.split('.')[0] ?? '';
    for (const secret of [key.key, service.key, key.id, service.id, projectId, user.id, user.accessToken, publicId]) {
      expect(secret.length).toBeGreaterThan(5);
      expect(text.includes(secret), `metrics contain ${secret.slice(0, 12)}…`).toBe(false);
    }
    // The only label values are from closed sets.
    const { samples } = parseMetrics(text);
    const allowed = new Set(['endpoint', 'outcome', 'method', 'route', 'status', 'le', 'backend', 'result']);
    for (const sample of samples) for (const label of Object.keys(sample.labels)) expect(allowed.has(label), label).toBe(true);
    const routes = new Set(samples.map((s) => s.labels.route).filter((r): r is string => r !== undefined));
    for (const route of routes) expect(route === 'unmatched' || /^\/[a-z0-9/:_-]*$/i.test(route), route).toBe(true);
    expect([...routes].some((r) => r.includes(':projectId'))).toBe(true);
  });
});

describe(`metrics behind METRICS_TOKEN (${backend})`, () => {
  const token = 'metrics-token-0123456789abcdef';
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 401 unauthorized without the token or with another one, and 200 with it', async () => {
    for (const headers of [{}, bearer('metrics-token-0123456789abcdeX'), bearer(`${token}x`), { authorization: `Basic ${token}` }]) {
      const refused = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: 'unauthorized', requestId: expect.any(String) });
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.body).not.toContain('elyzor_');
    }
    const allowed = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(token) });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('elyzor_verifications_total');
  });
});

describe(`metrics on METRICS_PORT (${backend})`, () => {
  const token = 'another-metrics-token-0123456789';
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startApp({ env: { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_TOKEN: token, RATE_LIMIT_DEFAULT: '1000000' } });
    port = t.app.metricsServer?.port ?? 0;
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves /metrics on its own port only, with the token, and counts what the app answers', async () => {
    expect(port).toBeGreaterThan(0);
    // The main listener has no /metrics then.
    expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(token) })).statusCode).toBe(404);
    const refused = await get(port, '/metrics');
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'unauthorized' });
    expect((await get(port, '/metrics', bearer('not-the-metrics-token-at-all'))).status).toBe(401);
    expect((await get(port, '/v1/health', bearer(token))).status).toBe(404);

    const before = parseMetrics((await get(port, '/metrics', bearer(token))).body).samples;
    const { user, projectId } = await userWithProject(t.app);
    const key = await createKey(t.app, user.accessToken, projectId);
    for (let i = 0; i < 3; i++) expect((await verifyKey(t.app, key.key)).statusCode).toBe(200);
    const scraped = await get(port, '/metrics', bearer(token));
    expect(scraped.status).toBe(200);
    expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = parseMetrics(scraped.body).samples;
    expect(verified(after, '/v1/verify', 'valid') - verified(before, '/v1/verify', 'valid')).toBe(3);
  });

  it('stops listening when the app closes', async () => {
    const other = await startApp({ env: { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' } });
    const otherPort = other.app.metricsServer?.port ?? 0;
    expect((await get(otherPort, '/metrics')).status).toBe(200);
    await other.close();
    await expect(get(otherPort, '/metrics')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
