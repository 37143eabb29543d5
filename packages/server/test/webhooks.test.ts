import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@elyzor/core';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookWorker } from '../src/webhooks/worker.js';
import { isForbiddenAddress } from '../src/webhooks/egress.js';
import { lookup } from 'node:dns/promises';
import { backend, bearer, createKey, json, registerUser, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';
import { WebhookReceiver, type Received } from './helpers/webhook-receiver.js';

/** The harness turns the timers off: every test drives the worker and the monitor itself, with its own clock. */
const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '500' };
const SECOND = 1000;
const DAY = 86_400_000;

interface Delivery {
  id: string;
  eventId: string;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  attemptLog: Array<{ statusCode: number | null; error: string | null; latencyMs: number; responseSnippet: string | null }>;
}

const payloadOf = (r: Received): { type: string; timestamp: string; data: Record<string, unknown> } => JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, unknown> };

/** What a receiver using the `standardwebhooks` package sees: the payload if the signature holds, or a throw. */
function verified(secret: string, r: Received): unknown {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });
}

/**
 * The signature check alone, for deliveries sent after the test moved its clock hours ahead:
 * `verify` would also (rightly) refuse a timestamp outside its five-minute window.
 */
function signatureHolds(secret: string, r: Received): boolean {
  const signed = new Webhook(secret).sign(String(r.headers['webhook-id']), new Date(Number(r.headers['webhook-timestamp']) * 1000), r.body);
  return signed === r.headers['webhook-signature'];
}

/** A new access token after the clock moved past the previous one's lifetime. */
async function login(t: TestApp, user: { email: string; password: string }): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: user.password } });
  expect(response.statusCode, response.body).toBe(200);
  return json<{ accessToken: string }>(response).accessToken;
}

/**
 * Rounds claim every due delivery of the database. On the real backend the database outlives a
 * test, so what earlier tests (or runs) left pending is settled first: each test counts its own.
 */
async function settlePending(t: TestApp): Promise<void> {
  await t.deps.db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('status', '=', 'pending').execute();
}

describe(`webhooks (${backend})`, () => {
  let t: TestApp;
  let clock: ManualClock;
  let receiver: WebhookReceiver;
  let token: string;
  let projectId: string;
  let owner: { email: string; password: string };

  const createWebhook = async (body: Record<string, unknown>): Promise<{ id: string; secret: string }> => {
    const response = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(token), payload: body });
    expect(response.statusCode, response.body).toBe(201);
    return json(response);
  };
  const deliveriesOf = async (webhookId: string): Promise<Delivery[]> => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/${webhookId}/deliveries`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return json<Delivery[]>(response);
  };

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await startApp({ clock, env: ENV });
    await settlePending(t);
    receiver = await new WebhookReceiver().start();
    const made = await userWithProject(t.app);
    ({ projectId, user: owner } = made);
    token = made.user.accessToken;
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it('delivers a signed key.created that a standardwebhooks receiver verifies unchanged; the secret is shown once; no plaintext key nor digest in the payload', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created', 'key.revoked'], description: 'ci' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(token) });
    expect(listed.json()).toEqual([expect.objectContaining({ id: hook.id, url: receiver.url(), events: ['key.created', 'key.revoked'], description: 'ci', enabled: true })]);
    expect(listed.body).not.toContain(hook.secret);
    const got = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/${hook.id}`, headers: bearer(token) });
    expect(got.body).not.toContain(hook.secret);

    const key = await createKey(t.app, token, projectId, { label: 'billing' });
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received as [Received];
    expect(request.headers['content-type']).toBe('application/json');
    expect(verified(hook.secret, request)).toEqual(payloadOf(request));
    expect(payloadOf(request)).toEqual({ type: 'key.created', timestamp: expect.any(String), data: { projectId, key: expect.objectContaining({ id: key.id, label: 'billing', status: 'active' }) } });
    expect(request.body).not.toContain(key.key);
    expect(request.body).not.toContain(t.deps.digest(key.key));
    expect(() => verified(`whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`, request)).toThrow();

    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ eventId: request.headers['webhook-id'], type: 'key.created', status: 'delivered', attempts: 1, nextAttemptAt: null });
    expect(delivery?.attemptLog).toEqual([expect.objectContaining({ statusCode: 200, error: null, responseSnippet: 'ok' })]);
    // Nothing is due any more.
    expect(await t.deps.webhookWorker.runOnce()).toBe(0);
  });

  it('sends only the events a webhook subscribed to, rotated and revoked included', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.rotated', 'key.revoked', 'service.created'] });
    const key = await createKey(t.app, token, projectId);
    const rotated = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/keys/${key.id}/rotate`, headers: bearer(token), payload: {} });
    const replacement = json<{ id: string }>(rotated);
    await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${replacement.id}`, headers: bearer(token) });
    await t.deps.webhookWorker.runOnce();
    expect(receiver.received.map((r) => payloadOf(r).type).sort()).toEqual(['key.revoked', 'key.rotated']);
    const rotation = receiver.received.map(payloadOf).find((p) => p.type === 'key.rotated');
    expect(rotation?.data).toMatchObject({ key: { id: key.id, replacedBy: replacement.id }, replacement: { id: replacement.id } });
    for (const r of receiver.received) verified(hook.secret, r);
  });

  it('retries after a 500 and after a timeout, with backoff, keeping one webhook-id; every attempt is recorded and counted in the metrics', async () => {
    const counted = async (result: string): Promise<number> => {
      const line = (await t.deps.metrics.text()).split('\n').find((l) => l.startsWith(`elyzor_webhook_deliveries_total{result="${result}"}`));
      return Number(line?.split(' ').at(-1));
    };
    const before = { success: await counted('success'), http: await counted('http_error'), timeout: await counted('timeout') };
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    receiver.answer({ status: 500, body: 'x'.repeat(5000) }, 'hang');
    await createKey(t.app, token, projectId);

    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    let [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery?.attemptLog[0]).toMatchObject({ statusCode: 500, error: null });
    expect(delivery?.attemptLog[0]?.responseSnippet).toHaveLength(1024);
    const retryIn = new Date(delivery?.nextAttemptAt ?? '').getTime() - clock.now();
    expect(retryIn).toBeGreaterThanOrEqual(4 * SECOND);
    expect(retryIn).toBeLessThanOrEqual(6 * SECOND);
    // Not due yet: nothing is sent.
    expect(await t.deps.webhookWorker.runOnce()).toBe(0);

    clock.advance(6 * SECOND);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2 });
    expect(delivery?.attemptLog[1]).toMatchObject({ statusCode: null, error: 'timeout', responseSnippet: null });

    clock.advance(6 * 60 * SECOND);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, nextAttemptAt: null });
    expect(delivery?.attemptLog.map((a) => a.statusCode)).toEqual([500, null, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery?.eventId]));
    expect(signatureHolds(hook.secret, receiver.received[2] as Received)).toBe(true);
    expect({ success: await counted('success'), http: await counted('http_error'), timeout: await counted('timeout') }).toEqual({
      success: before.success + 1,
      http: before.http + 1,
      timeout: before.timeout + 1,
    });
  });

  it('gives up after about a day of failures and marks the delivery failed; a redelivery on request sends it again', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    receiver.answer(...Array.from({ length: 8 }, () => ({ status: 503 })));
    await createKey(t.app, token, projectId);
    const start = clock.now();
    let delivery: Delivery | undefined;
    for (let round = 0; round < 20; round++) {
      await t.deps.webhookWorker.runOnce();
      [delivery] = await deliveriesOf(hook.id);
      if (delivery?.status !== 'pending') break;
      clock.set(new Date(delivery.nextAttemptAt ?? '').getTime());
      token = await login(t, owner);
    }
    expect(delivery).toMatchObject({ status: 'failed', attempts: 8, nextAttemptAt: null });
    const hours = (clock.now() - start) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(36);

    const again = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks/${hook.id}/deliveries/${delivery?.id}/redeliver`, headers: bearer(token) });
    expect(again.statusCode).toBe(202);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(delivery?.attemptLog).toHaveLength(9);
    expect(receiver.received).toHaveLength(9);
    const missing = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks/${hook.id}/deliveries/${randomUUID()}/redeliver`, headers: bearer(token) });
    expect(missing.statusCode).toBe(404);
  });

  it('rotates the secret (the old one no longer verifies), sends test events, updates and deletes; every change is audited, never the secret', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    const rotated = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks/${hook.id}/rotate-secret`, headers: bearer(token) });
    expect(rotated.statusCode).toBe(200);
    const { secret } = json<{ secret: string }>(rotated);
    expect(secret).not.toBe(hook.secret);
    const test = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks/${hook.id}/test`, headers: bearer(token) });
    expect(test.statusCode).toBe(202);
    await t.deps.webhookWorker.runOnce();
    const [request] = receiver.received as [Received];
    expect(payloadOf(request)).toMatchObject({ type: 'webhook.test', data: { projectId, webhookId: hook.id } });
    expect(request.headers['webhook-id']).toBe(json<{ eventId: string }>(test).eventId);
    expect(verified(secret, request)).toBeTruthy();
    expect(() => verified(hook.secret, request)).toThrow();

    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/webhooks/${hook.id}`, headers: bearer(token), payload: { enabled: false, events: ['key.revoked'] } });
    expect(patched.json()).toMatchObject({ enabled: false, events: ['key.revoked'] });
    const bad = await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/webhooks/${hook.id}`, headers: bearer(token), payload: { events: ['key.exploded'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'validation_error' });
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/webhooks/${hook.id}`, headers: bearer(token) });
    expect(removed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/${hook.id}`, headers: bearer(token) })).statusCode).toBe(404);

    const audit = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/audit`, headers: bearer(token) });
    expect(json<Array<{ action: string }>>(audit).map((e) => e.action)).toEqual(
      expect.arrayContaining(['webhook.created', 'webhook.secret_rotated', 'webhook.tested', 'webhook.updated', 'webhook.deleted']),
    );
    expect(audit.body).not.toContain(secret);
    expect(audit.body).not.toContain(hook.secret);
    expect(t.logs.join('\n')).not.toContain(secret);
  });

  it("answers another user's webhooks and malformed ids as 404; refuses unknown events and bad bodies with 400", async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    const stranger = await registerUser(t.app);
    for (const [method, url] of [
      ['GET', `/v1/projects/${projectId}/webhooks`],
      ['GET', `/v1/projects/${projectId}/webhooks/${hook.id}`],
      ['POST', `/v1/projects/${projectId}/webhooks/${hook.id}/test`],
      ['POST', `/v1/projects/${projectId}/webhooks/${hook.id}/rotate-secret`],
      ['GET', `/v1/projects/${projectId}/webhooks/${hook.id}/deliveries`],
      ['DELETE', `/v1/projects/${projectId}/webhooks/${hook.id}`],
    ] as const) {
      expect((await t.app.inject({ method, url, headers: bearer(stranger.accessToken) })).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/nope`, headers: bearer(token) })).statusCode).toBe(404);
    for (const payload of [{ url: receiver.url(), events: [] }, { url: receiver.url(), events: ['key.exploded'] }, { events: ['key.created'] }, { url: receiver.url(), events: ['key.created'], secret: 'x' }]) {
      const response = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(token), payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
    }
  });

  it('records an answer whose body holds NUL bytes (which PostgreSQL text cannot store)', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    receiver.answer({ status: 200, body: 'a\u0000b' });
    await createKey(t.app, token, projectId);
    await t.deps.webhookWorker.runOnce();
    expect((await deliveriesOf(hook.id))[0]).toMatchObject({ status: 'delivered', attemptLog: [expect.objectContaining({ statusCode: 200, responseSnippet: 'a\ufffdb' })] });
  });

  it('records nothing, and fails nothing, for a delivery whose webhook was deleted while it was being sent', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    receiver.answer('hang');
    await createKey(t.app, token, projectId);
    const round = t.deps.webhookWorker.runOnce();
    while (receiver.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/webhooks/${hook.id}`, headers: bearer(token) })).statusCode).toBe(204);
    await expect(round).resolves.toBe(1);
    expect(await t.deps.db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', hook.id).execute()).toEqual([]);
  });

  it('does not follow redirects: a 302 is an answer that is not a success', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    receiver.answer({ status: 302, headers: { location: receiver.url('/elsewhere') } });
    await createKey(t.app, token, projectId);
    await t.deps.webhookWorker.runOnce();
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'pending', attemptLog: [expect.objectContaining({ statusCode: 302 })] });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
  });

  // Two starts of a database on disk (no template): slower than the others.
  it('keeps undelivered events across a restart: the outbox is in the database', async () => {
    const dataDir = backend === 'embedded' ? await mkdtemp(join(tmpdir(), 'elyzor-webhooks-')) : undefined;
    const env = { ...ENV, ...(dataDir !== undefined ? { DATA_DIR: dataDir } : {}) };
    try {
      const first = await startApp({ clock, env });
      const owner = await userWithProject(first.app);
      const created = await first.app.inject({ method: 'POST', url: `/v1/projects/${owner.projectId}/webhooks`, headers: bearer(owner.user.accessToken), payload: { url: receiver.url(), events: ['key.created'] } });
      const { secret } = json<{ secret: string }>(created);
      const key = await createKey(first.app, owner.user.accessToken, owner.projectId);
      // Stopped before any delivery round.
      await first.close();
      expect(receiver.received).toHaveLength(0);

      const second = await startApp({ clock, env: { ...env, JWT_SECRET: first.config.jwtSecret ?? '' } });
      try {
        await second.deps.webhookWorker.runOnce();
        const mine = receiver.received.filter((r) => (payloadOf(r).data.key as { id: string } | undefined)?.id === key.id);
        expect(mine).toHaveLength(1);
        expect(verified(secret, mine[0] as Received)).toBeTruthy();
      } finally {
        await second.close();
      }
    } finally {
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('delivers each event once with two instances claiming at the same time', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    const keys = await Promise.all(Array.from({ length: 20 }, () => createKey(t.app, token, projectId)));
    // Two instances: a second app on the same PostgreSQL; on the embedded backend (one process
    // per database) a second worker over the same database.
    const other = backend === 'real' ? await startApp({ clock, env: { ...ENV, JWT_SECRET: t.config.jwtSecret ?? '' } }) : null;
    const second = other?.deps.webhookWorker ?? new WebhookWorker(t.deps.db, t.deps.webhookSecrets, clock, { ...t.config.webhooks, batchSize: 7 }, pino({ level: 'silent' }));
    try {
      for (let round = 0; round < 10; round++) {
        const [a, b] = await Promise.all([t.deps.webhookWorker.runOnce(), second.runOnce()]);
        if (a + b === 0) break;
      }
      const ids = receiver.received.filter((r) => payloadOf(r).data.projectId === projectId).map((r) => String(r.headers['webhook-id']));
      expect(ids).toHaveLength(keys.length);
      expect(new Set(ids).size).toBe(keys.length);
      expect((await deliveriesOf(hook.id)).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    } finally {
      await other?.close();
    }
  });

  it('retries a delivery whose instance crashed mid-delivery once its lease has passed', async () => {
    const hook = await createWebhook({ url: receiver.url(), events: ['key.created'] });
    await createKey(t.app, token, projectId);
    // An instance claims the delivery and dies before recording anything.
    const { claimDueDeliveries } = await import('../src/store/webhook-queue.js');
    expect(await claimDueDeliveries(t.deps.db, new Date(clock.now()), 60 * SECOND, 10)).toHaveLength(1);
    expect(await t.deps.webhookWorker.runOnce()).toBe(0);
    clock.advance(2 * 60 * SECOND);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    expect((await deliveriesOf(hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});

describe(`verification.failure_burst (${backend})`, () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    t = await startApp({ env: { ...ENV, WEBHOOK_FAILURE_BURST_PER_MINUTE: '5' } });
    await settlePending(t);
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it("is sent once per project and minute when the project's refused verifications reach the threshold", async () => {
    const { user, projectId } = await userWithProject(t.app);
    await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(user.accessToken), payload: { url: receiver.url(), events: ['verification.failure_burst'] } });
    const key = await createKey(t.app, user.accessToken, projectId);
    await t.app.inject({ method: 'DELETE', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(user.accessToken) });
    const refuse = async (times: number): Promise<void> => {
      for (let i = 0; i < times; i++) expect((await verifyKey(t.app, key.key)).statusCode).toBe(403);
      await t.deps.usage.flush();
      await t.deps.webhookWorker.runOnce();
    };
    await refuse(4);
    expect(receiver.received).toHaveLength(0);
    await refuse(2);
    await refuse(3);
    const bursts = receiver.received.map(payloadOf);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ type: 'verification.failure_burst', data: { projectId, threshold: 5, minute: expect.any(String) } });
    expect(bursts[0]?.data.failures).toBeGreaterThanOrEqual(5);
  });
});

describe(`webhook egress safety, WEBHOOK_ALLOW_PRIVATE off (${backend})`, () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    t = await startApp({ env: { WEBHOOK_TIMEOUT_MS: '500' } });
    await settlePending(t);
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it('refuses http and private, loopback, link-local and metadata addresses at creation', async () => {
    const { user, projectId } = await userWithProject(t.app);
    for (const url of [
      receiver.url(),
      `https://127.0.0.1:${receiver.port}/hook`,
      'https://localhost/hook',
      'https://10.0.0.8/hook',
      'https://192.168.1.10/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
      'not a url',
    ]) {
      const response = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(user.accessToken), payload: { url, events: ['key.created'] } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ error: 'validation_error' });
    }
  });

  it('checks again at delivery, after DNS: a name or an address that is private then is refused and nothing is sent', async () => {
    const { user, projectId } = await userWithProject(t.app);
    // This machine's own name resolves to a loopback address: allowed at creation (a name), refused after DNS.
    const own = hostname();
    expect((await lookup(own, { all: true })).every((a) => isForbiddenAddress(a.address))).toBe(true);
    const created = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(user.accessToken), payload: { url: `https://${own}:${receiver.port}/hook`, events: ['key.created'] } });
    expect(created.statusCode, created.body).toBe(201);
    const hook = json<{ id: string }>(created);
    // And addresses a webhook could point to by other means (a row changed behind the API's back).
    const others = [`https://127.0.0.1:${receiver.port}/`, `https://[::ffff:127.0.0.1]:${receiver.port}/`, 'https://169.254.169.254/'];
    const ids = [hook.id];
    for (const url of others) {
      const row = await t.deps.db.insertInto('webhooks').values({ project_id: projectId, url, events: JSON.stringify(['key.created']), description: null, secret_sealed: t.deps.webhookSecrets.seal('whsec_AAAA') }).returning('id').executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    await createKey(t.app, user.accessToken, projectId);
    expect(await t.deps.webhookWorker.runOnce()).toBe(ids.length);
    expect(receiver.received).toHaveLength(0);
    for (const id of ids) {
      const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/${id}/deliveries`, headers: bearer(user.accessToken) });
      const [delivery] = json<Delivery[]>(response);
      expect(delivery?.attemptLog[0]?.error, id).toMatch(/^refused: /);
      expect(delivery?.status).toBe('pending');
    }
  });
});

describe(`expiry monitor (${backend})`, () => {
  let t: TestApp;
  let clock: ManualClock;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await startApp({ clock, env: ENV });
    await settlePending(t);
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it('sends key.expiring 30, 7 and 1 days before expiry and key.expired, each once, and disables nothing', async () => {
    const { user, projectId } = await userWithProject(t.app);
    const events = ['key.expiring', 'key.expired', 'service.expiring', 'service.expired'];
    const created = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(user.accessToken), payload: { url: receiver.url(), events } });
    const { secret } = json<{ secret: string }>(created);
    const expiresAt = clock.now() + 40 * DAY;
    const key = await createKey(t.app, user.accessToken, projectId, { expiresAt: new Date(expiresAt).toISOString() });
    const mine = (): Array<{ type: string; daysLeft: unknown }> =>
      receiver.received.map(payloadOf).filter((p) => (p.data.key as { id: string }).id === key.id).map((p) => ({ type: p.type, daysLeft: p.data.daysLeft }));
    const pass = async (): Promise<void> => {
      await t.deps.expiryMonitor.runOnce();
      await t.deps.webhookWorker.runOnce();
    };

    await pass();
    expect(mine()).toEqual([]);
    clock.set(expiresAt - 30 * DAY + SECOND);
    await pass();
    await pass();
    expect(mine()).toEqual([{ type: 'key.expiring', daysLeft: 30 }]);
    clock.set(expiresAt - 7 * DAY + SECOND);
    await pass();
    clock.set(expiresAt - DAY + SECOND);
    await pass();
    await pass();
    expect(mine().map((e) => e.daysLeft)).toEqual([30, 7, 1]);
    clock.set(expiresAt + SECOND);
    await pass();
    clock.advance(DAY);
    await pass();
    expect(mine()).toEqual([
      { type: 'key.expiring', daysLeft: 30 },
      { type: 'key.expiring', daysLeft: 7 },
      { type: 'key.expiring', daysLeft: 1 },
      { type: 'key.expired', daysLeft: undefined },
    ]);
    for (const r of receiver.received) expect(signatureHolds(secret, r)).toBe(true);
    const got = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/keys/${key.id}`, headers: bearer(await login(t, user)) });
    expect(got.json()).toMatchObject({ status: 'expired', enabled: true, revoked: false });
  });

  it('runs one instance at a time: two monitors at once send each notice once', async () => {
    const { user, projectId } = await userWithProject(t.app);
    await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(user.accessToken), payload: { url: receiver.url(), events: ['key.expiring'] } });
    await Promise.all(Array.from({ length: 5 }, () => createKey(t.app, user.accessToken, projectId, { expiresAt: new Date(clock.now() + 3 * DAY).toISOString() })));
    const other = backend === 'real' ? await startApp({ clock, env: { ...ENV, JWT_SECRET: t.config.jwtSecret ?? '' } }) : null;
    try {
      const counts = await Promise.all([t.deps.expiryMonitor.runOnce(), (other ?? t).deps.expiryMonitor.runOnce(), t.deps.expiryMonitor.runOnce()]);
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
      await t.deps.webhookWorker.runOnce();
      const mine = receiver.received.map(payloadOf).filter((p) => p.data.projectId === projectId);
      expect(mine).toHaveLength(5);
      expect(mine.every((p) => p.type === 'key.expiring' && p.data.daysLeft === 3)).toBe(true);
    } finally {
      await other?.close();
    }
  });
});
