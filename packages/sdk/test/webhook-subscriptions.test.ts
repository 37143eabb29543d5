import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Elyzor, ElyzorError, verifyWebhook } from '../src/index.js';
import { WebhookReceiver } from '../../server/test/helpers/webhook-receiver.js';
import { startElyzor, type RunningElyzor } from './helpers.js';

/**
 * The `webhooks` group against a real Elyzor over HTTP and a real local receiver: every method,
 * the pages of both lists, a test event delivered and checked with the SDK's `verifyWebhook`.
 * The worker's timer is off in tests: each delivery round is driven here.
 */
let elyzor: RunningElyzor;
let receiver: WebhookReceiver;
beforeAll(async () => {
  elyzor = await startElyzor({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '2000' } });
  receiver = await new WebhookReceiver().start();
});
afterAll(async () => {
  await elyzor?.close();
  await receiver?.close();
});
// A database kept between runs (PostgreSQL) may hold deliveries of earlier runs: a round here sends only this test's.
beforeEach(async () => {
  await elyzor.server.deps.db.updateTable('webhook_deliveries').set({ status: 'failed' }).where('status', '=', 'pending').execute();
});

async function owner(): Promise<{ client: Elyzor; projectId: string }> {
  const client = new Elyzor({ baseUrl: elyzor.baseUrl });
  await client.auth.register(`hooks-${randomUUID()}@example.com`, 'correct horse battery');
  const project = await client.projects.create({ name: 'hooked' });
  return { client, projectId: project.id };
}

async function thrown(promise: Promise<unknown>): Promise<ElyzorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ElyzorError) return error;
  throw new Error(`expected an ElyzorError, got ${String(error)}`);
}

describe('webhooks', () => {
  it('create (the secret once), list in pages, get, update, rotate the secret, delete', async () => {
    const { client, projectId } = await owner();
    const first = await client.webhooks.create(projectId, { url: receiver.url('/a'), events: ['key.created'], description: 'billing' });
    expect(first).toMatchObject({ url: receiver.url('/a'), events: ['key.created'], description: 'billing', enabled: true, secret: expect.stringMatching(/^whsec_/) });
    const second = await client.webhooks.create(projectId, { url: receiver.url('/b'), events: ['member.added', 'member.removed'] });

    const page = await client.webhooks.list(projectId, { limit: 1 });
    expect(page.items.map((w) => w.id)).toEqual([second.id]);
    expect(page.items[0]).not.toHaveProperty('secret');
    const ids = [];
    for await (const webhook of client.webhooks.iterate(projectId, { limit: 1 })) ids.push(webhook.id);
    expect(ids).toEqual([second.id, first.id]);

    expect(await client.webhooks.get(projectId, first.id)).toMatchObject({ id: first.id, description: 'billing' });
    expect(await client.webhooks.get(projectId, first.id)).not.toHaveProperty('secret');
    const updated = await client.webhooks.update(projectId, first.id, { events: ['key.created', 'key.revoked'], description: null, enabled: false });
    expect(updated).toMatchObject({ events: ['key.created', 'key.revoked'], description: null, enabled: false });

    const rotated = await client.webhooks.rotateSecret(projectId, first.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first.secret);

    await client.webhooks.delete(projectId, first.id);
    expect(await thrown(client.webhooks.get(projectId, first.id))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await thrown(client.webhooks.delete(projectId, first.id))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('test sends a signed webhook.test that verifyWebhook accepts; deliveries in pages; redeliver sends it again', async () => {
    const { client, projectId } = await owner();
    const hook = await client.webhooks.create(projectId, { url: receiver.url('/test'), events: ['key.created'] });
    const before = receiver.received.length;
    const queued = await client.webhooks.test(projectId, hook.id);
    expect(queued.eventId).toEqual(expect.any(String));
    await client.webhooks.test(projectId, hook.id);
    expect(await elyzor.server.deps.webhookWorker.runOnce()).toBe(2);

    const arrived = receiver.received.slice(before);
    expect(arrived).toHaveLength(2);
    const headers = Object.fromEntries(Object.entries(arrived[0]?.headers ?? {}).map(([name, value]) => [name, String(value)]));
    expect(await verifyWebhook(arrived[0]?.body ?? '', headers, hook.secret)).toMatchObject({ type: 'webhook.test', data: { projectId, webhookId: hook.id } });

    const page = await client.webhooks.deliveries(projectId, hook.id, { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    const deliveries = [];
    for await (const delivery of client.webhooks.iterateDeliveries(projectId, hook.id, { limit: 1 })) deliveries.push(delivery);
    expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(deliveries.map((d) => d.eventId)).toContain(queued.eventId);
    expect(deliveries[0]?.attemptLog).toEqual([expect.objectContaining({ statusCode: 200, error: null })]);

    const again = deliveries.find((d) => d.eventId === queued.eventId);
    await client.webhooks.redeliver(projectId, hook.id, again?.id ?? '');
    expect(await elyzor.server.deps.webhookWorker.runOnce()).toBe(1);
    expect(receiver.received.at(-1)?.headers['webhook-id']).toBe(queued.eventId);
    expect(await thrown(client.webhooks.redeliver(projectId, hook.id, randomUUID()))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refusals: a bad URL or event is 400 validation_error, unknown ids 404, a viewer 403 forbidden', async () => {
    const { client, projectId } = await owner();
    expect(await thrown(client.webhooks.create(projectId, { url: 'not a url', events: ['key.created'] }))).toMatchObject({ status: 400, code: 'validation_error' });
    // An event outside the catalogue does not type-check; sent anyway, the API refuses it.
    const unknownEvent = { url: receiver.url(), events: ['key.launched'] } as unknown as Parameters<Elyzor['webhooks']['create']>[1];
    expect(await thrown(client.webhooks.create(projectId, unknownEvent))).toMatchObject({ status: 400, code: 'validation_error' });
    expect(await thrown(client.webhooks.list(randomUUID()))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await thrown(client.webhooks.test(projectId, randomUUID()))).toMatchObject({ status: 404, code: 'not_found' });

    const viewer = new Elyzor({ baseUrl: elyzor.baseUrl });
    const viewerEmail = `viewer-${randomUUID()}@example.com`;
    await viewer.auth.register(viewerEmail, 'correct horse battery');
    const team = await client.workspaces.create({ name: 'team' });
    const teamProject = await client.projects.create({ name: 'shared', workspaceId: team.id });
    await viewer.invitations.accept((await client.invitations.create(team.id, { email: viewerEmail, role: 'viewer' })).token);
    expect(await thrown(viewer.webhooks.create(teamProject.id, { url: receiver.url(), events: ['key.created'] }))).toMatchObject({ status: 403, code: 'forbidden' });
  });
});
