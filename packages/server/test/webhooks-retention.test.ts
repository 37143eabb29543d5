import { ManualClock } from '@elyzor/core';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, json, startApp, userWithProject, type TestApp } from './helpers/harness.js';
import { DeliveryPruner } from '../src/webhooks/delivery-pruner.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

/** The harness turns the timers off: the test drives the worker and the pruner with its own clock. */
const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '500', WEBHOOK_DELIVERY_RETENTION_DAYS: '30' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Delivery {
  id: string;
  eventId: string;
  status: string;
  attempts: number;
}

describe(`webhook delivery retention (${backend})`, () => {
  let t: TestApp;
  let clock: ManualClock;
  let receiver: WebhookReceiver;
  let token: string;
  let projectId: string;
  let owner: { email: string; password: string };

  /** A new access token: the clock moves past the previous one's lifetime. */
  const login = async (): Promise<void> => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: owner.email, password: owner.password } });
    expect(response.statusCode, response.body).toBe(200);
    token = json<{ accessToken: string }>(response).accessToken;
  };
  const createWebhook = async (): Promise<string> => {
    const response = await t.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(token), payload: { url: receiver.url(), events: ['key.created'] } });
    expect(response.statusCode, response.body).toBe(201);
    return json<{ id: string }>(response).id;
  };
  const deliveriesOf = async (webhookId: string): Promise<Delivery[]> => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/webhooks/${webhookId}/deliveries`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return json<Delivery[]>(response);
  };
  const attemptsOf = async (deliveryId: string): Promise<number> =>
    (await t.deps.db.selectFrom('webhook_attempts').select('id').where('delivery_id', '=', deliveryId).execute()).length;
  const eventExists = async (eventId: string): Promise<boolean> =>
    (await t.deps.db.selectFrom('webhook_events').select('id').where('id', '=', eventId).executeTakeFirst()) !== undefined;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await startApp({ clock, env: ENV });
    // On the real backend the database outlives a test: what others left pending is settled, so
    // that the worker's rounds here attempt only this test's deliveries.
    await t.deps.db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('status', '=', 'pending').execute();
    receiver = await new WebhookReceiver().start();
    const made = await userWithProject(t.app);
    ({ projectId, user: owner } = made);
    token = made.user.accessToken;
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it('deletes finished deliveries (and their attempts and events) past the retention by finish time; keeps pending and younger ones, still listed', async () => {
    const t0 = clock.now();
    const hook = await createWebhook();
    const paused = await createWebhook();

    // At t0: a delivery to `hook` delivered; its twin to `paused` waits (the webhook is disabled) and stays pending.
    await createKey(t.app, token, projectId);
    const disabled = await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/webhooks/${paused}`, headers: bearer(token), payload: { enabled: false } });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    const [delivered] = await deliveriesOf(hook);
    const [pending] = await deliveriesOf(paused);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, eventId: delivered?.eventId });

    // Created at t0 too, refused at every attempt until the schedule runs out (8 attempts, the last at t0 + 91 h).
    receiver.answer(...Array.from({ length: 8 }, () => ({ status: 500, body: 'no' })));
    await createKey(t.app, token, projectId);
    for (let attempt = 0; attempt < 8; attempt += 1) {
      expect(await t.deps.webhookWorker.runOnce()).toBe(1);
      if (attempt < 7) clock.advance(13 * HOUR);
    }
    await login();
    const failed = (await deliveriesOf(hook)).find((d) => d.id !== delivered?.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 8 });
    expect(await attemptsOf(delivered?.id ?? '')).toBe(1);

    // 30 days after t0 + 50 h: the delivered one finished before the cutoff; the failed one was
    // created before it but finished after it, so it stays; a new delivery is young.
    clock.set(t0 + 30 * DAY + 50 * HOUR);
    await login();
    await createKey(t.app, token, projectId);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    const young = (await deliveriesOf(hook)).find((d) => d.id !== delivered?.id && d.id !== failed?.id);
    expect(young).toMatchObject({ status: 'delivered' });

    expect(await t.deps.deliveryPruner.runOnce()).toBeGreaterThanOrEqual(1);
    expect((await deliveriesOf(hook)).map((d) => d.id)).toEqual([young?.id, failed?.id]);
    expect((await deliveriesOf(paused)).map((d) => [d.id, d.status])).toEqual([[pending?.id, 'pending']]);
    expect(await attemptsOf(delivered?.id ?? '')).toBe(0);
    expect(await attemptsOf(failed?.id ?? '')).toBe(8);
    // The event is still referred to by the pending delivery: it stays.
    expect(await eventExists(delivered?.eventId ?? '')).toBe(true);

    // Past the failed one's finish (t0 + 91 h) + 30 days: it goes, and its event with it (no delivery is left).
    clock.set(t0 + 30 * DAY + 110 * HOUR);
    await login();
    expect(await t.deps.deliveryPruner.runOnce()).toBeGreaterThanOrEqual(1);
    expect((await deliveriesOf(hook)).map((d) => d.id)).toEqual([young?.id]);
    expect(await attemptsOf(failed?.id ?? '')).toBe(0);
    expect(await eventExists(failed?.eventId ?? '')).toBe(false);
    expect(await eventExists(young?.eventId ?? '')).toBe(true);
    // The pending delivery is never pruned, however old, and is still delivered once its webhook is enabled.
    clock.set(t0 + 400 * DAY);
    await login();
    await t.deps.deliveryPruner.runOnce();
    expect((await deliveriesOf(paused)).map((d) => d.status)).toEqual(['pending']);
    expect(await eventExists(pending?.eventId ?? '')).toBe(true);
    const enabled = await t.app.inject({ method: 'PATCH', url: `/v1/projects/${projectId}/webhooks/${paused}`, headers: bearer(token), payload: { enabled: true } });
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(await t.deps.webhookWorker.runOnce()).toBe(1);
    expect((await deliveriesOf(paused)).map((d) => d.status)).toEqual(['delivered']);
  });

  it('two instances pruning at once share the work: every old finished delivery goes, each once, and a new pending one stays', async () => {
    const hook = await createWebhook();
    await Promise.all(Array.from({ length: 20 }, () => createKey(t.app, token, projectId)));
    expect(await t.deps.webhookWorker.runOnce()).toBe(20);
    clock.advance(31 * 86_400_000);
    await login();
    // A delivery made now, not yet attempted: pending, so untouched by either pruner.
    receiver.answer({ status: 500, body: 'no' });
    await createKey(t.app, token, projectId);
    // Two instances: a second app on the same PostgreSQL; on the embedded backend (one process
    // per database) a second pruner over the same database.
    const other = backend === 'real' ? await startApp({ clock, env: { ...ENV, JWT_SECRET: t.config.jwtSecret ?? '' } }) : null;
    const second = other?.deps.deliveryPruner ?? new DeliveryPruner(t.deps.db, clock, { retentionDays: 30, intervalMs: 0 }, pino({ level: 'silent' }));
    try {
      const counts = await Promise.all([t.deps.deliveryPruner.runOnce(), second.runOnce(), t.deps.webhookWorker.runOnce()]);
      // The shared PostgreSQL may hold other suites' old deliveries too: at least these 20 went.
      expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBeGreaterThanOrEqual(20);
      if (backend === 'embedded') expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(20);
      const left = await deliveriesOf(hook);
      expect(left).toHaveLength(1);
      expect(left[0]).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      await other?.close();
    }
  });
});
