import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeUsage } from '../src/store/usage.js';
import { backend, bearer, createKey, json, startApp, userWithProject, verifyKey, type TestApp } from './helpers/harness.js';
import { WebhookReceiver, type Received } from './helpers/webhook-receiver.js';

/**
 * `usage.quota_threshold`: a key's quota at 80 and 100 % used, its credits at 20 and 0 % left,
 * each announced once per period, found where usage is written (the flush) from what the limiter
 * answered the verifications. A real local receiver checks the signatures; the worker's and the
 * buffer's rounds are driven here, and only this suite's receiver paths are read.
 */
const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '2000' };

interface Threshold {
  type: string;
  data: { projectId: string; key?: { id: string }; meter: string; threshold: number; limit: number; remaining: number; periodEndsAt: string | null };
}

describe(`usage.quota_threshold (${backend})`, () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startApp({ env: ENV });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  /** A project with a webhook on usage.quota_threshold at its own receiver path. */
  async function hooked(app = t): Promise<{ token: string; projectId: string; path: string; secret: string }> {
    const { user, projectId } = await userWithProject(app.app);
    const path = `/${projectId}`;
    const created = await app.app.inject({ method: 'POST', url: `/v1/projects/${projectId}/webhooks`, headers: bearer(user.accessToken), payload: { url: receiver.url(path), events: ['usage.quota_threshold'] } });
    expect(created.statusCode, created.body).toBe(201);
    return { token: user.accessToken, projectId, path, secret: json<{ secret: string }>(created).secret };
  }

  async function verify(key: string, cost: number, app = t): Promise<string> {
    const answer = await verifyKey(app.app, key, { cost });
    return json<{ valid: boolean; error?: string }>(answer).error ?? 'valid';
  }

  /** Flushes the usage, delivers what is due, and returns what the webhook at `path` received since `mark` (signatures checked). */
  async function announced(hook: { path: string; secret: string }, mark: number, apps: TestApp[] = [t]): Promise<Threshold[]> {
    for (const app of apps) await app.deps.usage.flush();
    // The instance that holds the webhook's secret (each test app has its own secret-box key) delivers.
    await (apps[0] ?? t).deps.webhookWorker.runOnce();
    return receiver.received
      .slice(mark)
      .filter((r) => r.path === hook.path)
      .map((r: Received) => new Webhook(hook.secret).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) }) as Threshold);
  }

  it('a quota: 80 % once, 100 % once, nothing more in the period', async () => {
    const hook = await hooked();
    const key = await createKey(t.app, hook.token, hook.projectId, { quota: { limit: 10, period: 'month' } });
    let mark = receiver.received.length;
    expect(await verify(key.key, 7)).toBe('valid');
    expect(await announced(hook, mark)).toEqual([]);

    mark = receiver.received.length;
    expect(await verify(key.key, 1)).toBe('valid');
    const [eighty, ...none] = await announced(hook, mark);
    expect(none).toEqual([]);
    const periodEnd = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)).toISOString();
    expect(eighty).toEqual({ type: 'usage.quota_threshold', timestamp: expect.any(String), data: { projectId: hook.projectId, key: { id: key.id }, meter: 'quota', threshold: 80, limit: 10, remaining: 2, periodEndsAt: periodEnd } });

    mark = receiver.received.length;
    expect(await verify(key.key, 1)).toBe('valid');
    expect(await announced(hook, mark)).toEqual([]);
    expect(await verify(key.key, 1)).toBe('valid');
    expect(await verify(key.key, 1)).toBe('quota_exceeded');
    expect((await announced(hook, mark)).map((e) => [e.data.meter, e.data.threshold, e.data.remaining])).toEqual([['quota', 100, 0]]);

    mark = receiver.received.length;
    expect(await verify(key.key, 1)).toBe('quota_exceeded');
    expect(await announced(hook, mark)).toEqual([]);
  });

  it('credits: 20 % left once, then 0; a top-up arms them again', async () => {
    const hook = await hooked();
    const key = await createKey(t.app, hook.token, hook.projectId, { credits: { remaining: 5 } });
    let mark = receiver.received.length;
    expect(await verify(key.key, 4)).toBe('valid');
    expect((await announced(hook, mark)).map((e) => [e.data.meter, e.data.threshold, e.data.limit, e.data.remaining, e.data.periodEndsAt])).toEqual([['credits', 20, 5, 1, null]]);
    mark = receiver.received.length;
    expect(await verify(key.key, 1)).toBe('valid');
    expect((await announced(hook, mark)).map((e) => [e.data.threshold, e.data.remaining])).toEqual([[0, 0]]);

    const topUp = await t.app.inject({ method: 'PATCH', url: `/v1/projects/${hook.projectId}/keys/${key.id}`, headers: bearer(hook.token), payload: { credits: { remaining: 10 } } });
    expect(topUp.statusCode, topUp.body).toBe(200);
    mark = receiver.received.length;
    expect(await verify(key.key, 9)).toBe('valid');
    expect((await announced(hook, mark)).map((e) => [e.data.threshold, e.data.limit, e.data.remaining])).toEqual([[20, 10, 1]]);
  });

  it('the same crossing written by two flushes (two instances saw it) is announced once', async () => {
    const hook = await hooked();
    const key = await createKey(t.app, hook.token, hook.projectId, { quota: { limit: 10, period: 'day' } });
    const minute = Date.now() - (Date.now() % 60_000);
    const resetAt = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1);
    const bucket = (remaining: number) => ({
      projectId: hook.projectId,
      credentialId: key.id,
      kind: 'key' as const,
      outcome: 'valid' as const,
      minute,
      count: 1,
      latencySum: 1,
      lastAt: minute + 1,
      quota: { allowed: true, limit: 10, remaining, resetAt, retryAfterMs: 0 },
      credits: null,
    });
    const mark = receiver.received.length;
    await Promise.all([writeUsage(t.deps.db, [bucket(1)]), writeUsage(t.deps.db, [bucket(2)])]);
    await writeUsage(t.deps.db, [bucket(1)]);
    expect((await announced(hook, mark)).map((e) => e.data.threshold)).toEqual([80]);
  });

  it.runIf(backend === 'real')('two instances sharing PostgreSQL and Redis: each threshold once', async () => {
    const redisPrefix = `thresholds-${Date.now()}:`;
    const [a, b] = [await startApp({ env: ENV, redisPrefix }), await startApp({ env: ENV, redisPrefix })];
    try {
      const hook = await hooked(a);
      const key = await createKey(a.app, hook.token, hook.projectId, { quota: { limit: 20, period: 'month' } });
      const mark = receiver.received.length;
      // Both instances count toward one quota (Redis); both see verifications past 80 % and past 100 %.
      const outcomes: string[] = [];
      for (let i = 0; i < 11; i++) outcomes.push(...(await Promise.all([verify(key.key, 1, a), verify(key.key, 1, b)])));
      expect(outcomes.filter((o) => o === 'valid')).toHaveLength(20);
      await Promise.all([a.deps.usage.flush(), b.deps.usage.flush()]);
      const events = await announced(hook, mark, [a, b]);
      expect(events.map((e) => e.data.threshold).sort()).toEqual([100, 80]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
