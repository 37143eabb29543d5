import { randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/http/types.js';
import {
  backend,
  bearer,
  createKey,
  createProject,
  createService,
  registerUser,
  startApp,
  userWithProject,
  verifyKey,
  verifyService,
  type TestApp,
} from './helpers/harness.js';

type Body = Record<string, unknown>;

interface AuditRow {
  id: string;
  action: string;
  actorId: string | null;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  ip: string | null;
  changes: Record<string, { before: unknown; after: unknown }> | null;
  outcome: string | null;
  count: number;
  createdAt: string;
}

const SOURCE_IP = '192.0.2.10';
const requestId = (what: string): string => `${what}-${randomUUID()}`;

/** A management request as a browser or a script makes it: with a request id and from a known address. */
function send(
  app: App,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  options: { payload?: Body; requestId?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    remoteAddress: SOURCE_IP,
    headers: { ...bearer(token), ...(options.requestId !== undefined ? { 'x-request-id': options.requestId } : {}) },
    ...(options.payload !== undefined ? { payload: options.payload } : {}),
  });
}

function auditRequest(app: App, token: string, projectId: string, query = ''): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: `/v1/projects/${projectId}/audit${query}`, headers: bearer(token) });
}

async function auditRows(app: App, token: string, projectId: string, query = ''): Promise<AuditRow[]> {
  const response = await auditRequest(app, token, projectId, query);
  expect(response.statusCode).toBe(200);
  return response.json<AuditRow[]>();
}

function nextLink(response: LightMyRequestResponse): string | null {
  const link = response.headers.link;
  if (typeof link !== 'string') return null;
  return /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null;
}

function only(rows: AuditRow[], action: string): AuditRow {
  const matching = rows.filter((row) => row.action === action);
  expect(matching, action).toHaveLength(1);
  return matching[0] as AuditRow;
}

/** CSV records; the exported cells never contain a raw line break (JSON escapes them). */
function csvLines(body: string): string[] {
  return body.split('\r\n').filter((line) => line !== '');
}

describe(`audit log (${backend})`, () => {
  let t: TestApp;
  // Fixed unless a test moves it: keeps a burst of failed verifications inside one minute.
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await startApp({ clock });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('changes', () => {
    it('records the creation of a project', async () => {
      const user = await registerUser(t.app);
      const id = requestId('create-project');
      const response = await send(t.app, 'POST', '/v1/projects', user.accessToken, { payload: { name: 'audited' }, requestId: id });
      expect(response.statusCode).toBe(201);
      const projectId = response.json<{ id: string }>().id;
      const row = only(await auditRows(t.app, user.accessToken, projectId), 'project.created');
      expect(row).toMatchObject({ actorId: user.id, targetType: 'project', targetId: projectId, requestId: id, ip: SOURCE_IP });
      expect(row.changes).toMatchObject({ name: { after: 'audited' } });
      expect(Date.parse(row.createdAt)).not.toBeNaN();
    });

    it('records the creation of a key with actor, target, request id, source IP and the fields set', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const id = requestId('create-key');
      const response = await send(t.app, 'POST', `/v1/projects/${projectId}/keys`, user.accessToken, {
        payload: { label: 'billing', scopes: ['read:invoices'], ownerId: 'acme' },
        requestId: id,
      });
      expect(response.statusCode).toBe(201);
      const keyId = response.json<{ id: string }>().id;
      const row = only(await auditRows(t.app, user.accessToken, projectId), 'key.created');
      expect(row).toMatchObject({ actorId: user.id, targetType: 'key', targetId: keyId, requestId: id, ip: SOURCE_IP });
      expect(row.changes).toMatchObject({
        label: { after: 'billing' },
        scopes: { after: ['read:invoices'] },
        ownerId: { after: 'acme' },
      });
    });

    it('records an update with the fields that changed, before and after', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'billing', scopes: ['read:a'], tags: ['keep'] });
      const id = requestId('update');
      const response = await send(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, {
        payload: { label: 'billing v2', scopes: ['read:b'], tags: ['keep'] },
        requestId: id,
      });
      expect(response.statusCode).toBe(200);
      const row = only(await auditRows(t.app, user.accessToken, projectId), 'key.updated');
      expect(row).toMatchObject({ actorId: user.id, targetType: 'key', targetId: key.id, requestId: id, ip: SOURCE_IP });
      expect(row.changes).toEqual({
        label: { before: 'billing', after: 'billing v2' },
        scopes: { before: ['read:a'], after: ['read:b'] },
      });
    });

    it('records disabling and enabling as such', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const disableId = requestId('disable');
      const enableId = requestId('enable');
      const url = `/v1/projects/${projectId}/keys/${key.id}`;
      expect((await send(t.app, 'PATCH', url, user.accessToken, { payload: { enabled: false }, requestId: disableId })).statusCode).toBe(200);
      expect((await send(t.app, 'PATCH', url, user.accessToken, { payload: { enabled: true }, requestId: enableId })).statusCode).toBe(200);
      const rows = await auditRows(t.app, user.accessToken, projectId);
      expect(only(rows, 'key.disabled')).toMatchObject({
        actorId: user.id,
        targetId: key.id,
        requestId: disableId,
        ip: SOURCE_IP,
        changes: { enabled: { before: true, after: false } },
      });
      expect(only(rows, 'key.enabled')).toMatchObject({
        actorId: user.id,
        targetId: key.id,
        requestId: enableId,
        ip: SOURCE_IP,
        changes: { enabled: { before: false, after: true } },
      });
    });

    it('records a rotation on the old key, naming its replacement', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const id = requestId('rotate');
      const response = await send(t.app, 'POST', `/v1/projects/${projectId}/keys/${key.id}/rotate`, user.accessToken, {
        payload: { gracePeriodSeconds: 60 },
        requestId: id,
      });
      expect(response.statusCode).toBe(201);
      const fresh = response.json<{ id: string }>();
      const row = only(await auditRows(t.app, user.accessToken, projectId), 'key.rotated');
      expect(row).toMatchObject({ actorId: user.id, targetType: 'key', targetId: key.id, requestId: id, ip: SOURCE_IP });
      expect(JSON.stringify(row.changes)).toContain(fresh.id);
    });

    it('records a revocation with its reason', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      const id = requestId('revoke');
      const response = await send(t.app, 'DELETE', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, {
        payload: { reason: 'employee left' },
        requestId: id,
      });
      expect(response.statusCode).toBe(204);
      const row = only(await auditRows(t.app, user.accessToken, projectId), 'key.revoked');
      expect(row).toMatchObject({ actorId: user.id, targetType: 'key', targetId: key.id, requestId: id, ip: SOURCE_IP });
      expect(row.changes).toMatchObject({ revokeReason: { before: null, after: 'employee left' } });
    });

    it('records the changes to a service the same way', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const createId = requestId('svc-create');
      const created = await send(t.app, 'POST', `/v1/projects/${projectId}/services`, user.accessToken, {
        payload: { name: `svc-${randomUUID().slice(0, 8)}` },
        requestId: createId,
      });
      expect(created.statusCode).toBe(201);
      const serviceId = created.json<{ id: string }>().id;
      const url = `/v1/projects/${projectId}/services/${serviceId}`;
      const updateId = requestId('svc-update');
      const disableId = requestId('svc-disable');
      const revokeId = requestId('svc-revoke');
      expect((await send(t.app, 'PATCH', url, user.accessToken, { payload: { scopes: ['read:x'] }, requestId: updateId })).statusCode).toBe(200);
      expect((await send(t.app, 'PATCH', url, user.accessToken, { payload: { enabled: false }, requestId: disableId })).statusCode).toBe(200);
      expect((await send(t.app, 'DELETE', url, user.accessToken, { requestId: revokeId })).statusCode).toBe(204);
      const rows = await auditRows(t.app, user.accessToken, projectId, `?serviceId=${serviceId}`);
      const common = { actorId: user.id, targetType: 'service', targetId: serviceId, ip: SOURCE_IP };
      expect(only(rows, 'service.created')).toMatchObject({ ...common, requestId: createId });
      expect(only(rows, 'service.updated')).toMatchObject({ ...common, requestId: updateId, changes: { scopes: { before: [], after: ['read:x'] } } });
      expect(only(rows, 'service.disabled')).toMatchObject({ ...common, requestId: disableId });
      expect(only(rows, 'service.revoked')).toMatchObject({ ...common, requestId: revokeId });
      expect(rows.map((row) => row.action)).toEqual(['service.revoked', 'service.disabled', 'service.updated', 'service.created']);
    });

    it('keeps a record of a deleted project, by whom and from where', async () => {
      const { user, projectId } = await userWithProject(t.app);
      await createKey(t.app, user.accessToken, projectId);
      const id = requestId('delete-project');
      const response = await send(t.app, 'DELETE', `/v1/projects/${projectId}`, user.accessToken, { requestId: id });
      expect(response.statusCode).toBe(204);
      // The project is gone, so its log is no longer served over HTTP; the record itself stays.
      expect((await auditRequest(t.app, user.accessToken, projectId)).statusCode).toBe(404);
      const rows = await t.deps.db
        .selectFrom('audit_events')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('action', '=', 'project.deleted')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_id: user.id, target_type: 'project', target_id: projectId, request_id: id, ip: SOURCE_IP });
      expect(rows[0]?.changes).toMatchObject({ name: { before: 'test-project' } });
    });

    it('does not record a change that was refused', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'same' });
      const url = `/v1/projects/${projectId}/keys/${key.id}`;
      expect((await send(t.app, 'PATCH', url, user.accessToken, { payload: { label: 'other', bogus: 1 } })).statusCode).toBe(400);
      expect((await send(t.app, 'PATCH', url, user.accessToken, { payload: { ipAllowlist: ['1.2.3.4/40'] } })).statusCode).toBe(400);
      const rows = await auditRows(t.app, user.accessToken, projectId, `?keyId=${key.id}`);
      expect(rows.map((row) => row.action)).toEqual(['key.created']);
    });
  });

  describe('secrets', () => {
    it('never shows a plaintext key, its secret or a digest, in JSON or CSV', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const plaintexts: string[] = [];
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'secret-check', metadata: { a: 1 } });
      plaintexts.push(key.key);
      const rotated = await send(t.app, 'POST', `/v1/projects/${projectId}/keys/${key.id}/rotate`, user.accessToken, { payload: { gracePeriodSeconds: 30 } });
      const fresh = rotated.json<{ id: string; key: string }>();
      plaintexts.push(fresh.key);
      await send(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${fresh.id}`, user.accessToken, { payload: { scopes: ['read:a'] } });
      const service = await createService(t.app, user.accessToken, projectId);
      plaintexts.push(service.key);
      const rotatedService = await send(t.app, 'POST', `/v1/projects/${projectId}/services/${service.id}/rotate`, user.accessToken);
      plaintexts.push(rotatedService.json<{ key: string }>().key);
      await send(t.app, 'DELETE', `/v1/projects/${projectId}/keys/${fresh.id}`, user.accessToken, { payload: { reason: 'done' } });
      await verifyKey(t.app, fresh.key);
      await verifyService(t.app, service.key);

      const digests = (await t.deps.db.selectFrom('credentials').select('digest').where('project_id', '=', projectId).execute()).map((r) => r.digest);
      expect(digests).toHaveLength(4);

      const json = await auditRequest(t.app, user.accessToken, projectId);
      const csv = await auditRequest(t.app, user.accessToken, projectId, '?format=csv');
      expect(json.json<AuditRow[]>().length).toBeGreaterThanOrEqual(8);
      for (const body of [json.body, csv.body]) {
        for (const plaintext of plaintexts) {
          expect(body).not.toContain(plaintext);
          expect(body).not.toContain(plaintext.split('.')[1] ?? plaintext);
        }
        for (const digest of digests) expect(body).not.toContain(digest);
        expect(body).not.toMatch(/[0-9a-f]{64}/i);
      }
    });
  });

  describe('failed verifications', () => {
    it('aggregates failures of one key with the same outcome in one minute into one counted row', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:a'] });
      const responses = await Promise.all(Array.from({ length: 30 }, () => verifyKey(t.app, key.key, { scopes: ['write:a'] })));
      expect(responses.every((r) => r.statusCode === 403)).toBe(true);
      const rows = await auditRows(t.app, user.accessToken, projectId, '?action=verification.failed');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'verification.failed', targetType: 'key', targetId: key.id, outcome: 'insufficient_scope', count: 30 });
    });

    it('keeps one row per outcome and per minute, and none for successes', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { scopes: ['read:a'], ipDenylist: ['192.0.2.1'] });
      for (let i = 0; i < 5; i++) expect((await verifyKey(t.app, key.key, { scopes: ['read:a'], ip: '198.51.100.1' })).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) await verifyKey(t.app, key.key, { scopes: ['write:a'], ip: '198.51.100.1' });
      for (let i = 0; i < 2; i++) await verifyKey(t.app, key.key, { ip: '192.0.2.1' });
      let rows = await auditRows(t.app, user.accessToken, projectId, `?action=verification.failed&keyId=${key.id}`);
      expect(Object.fromEntries(rows.map((row) => [row.outcome, row.count]))).toEqual({ insufficient_scope: 3, ip_not_allowed: 2 });

      clock.advance(60_000);
      for (let i = 0; i < 4; i++) await verifyKey(t.app, key.key, { scopes: ['write:a'], ip: '198.51.100.1' });
      rows = await auditRows(t.app, user.accessToken, projectId, `?action=verification.failed&keyId=${key.id}`);
      const scopeRows = rows.filter((row) => row.outcome === 'insufficient_scope');
      expect(scopeRows.map((row) => row.count)).toEqual([4, 3]);
      expect(rows).toHaveLength(3);
    });

    it('records failures of a service identity under its id', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const service = await createService(t.app, user.accessToken, projectId, `svc-${randomUUID().slice(0, 8)}`, { enabled: false });
      for (let i = 0; i < 3; i++) expect((await verifyService(t.app, service.key)).statusCode).toBe(403);
      const rows = await auditRows(t.app, user.accessToken, projectId, `?serviceId=${service.id}&action=verification.failed`);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ targetType: 'service', targetId: service.id, outcome: 'key_disabled', count: 3 });
    });
  });

  describe('reading the log', () => {
    it('lists newest first', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      await send(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, { payload: { label: 'x' } });
      await send(t.app, 'DELETE', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken);
      const rows = await auditRows(t.app, user.accessToken, projectId);
      expect(rows.map((row) => row.action)).toEqual(['key.revoked', 'key.updated', 'key.created', 'project.created']);
      const times = rows.map((row) => Date.parse(row.createdAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('filters by action and by key', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const first = await createKey(t.app, user.accessToken, projectId);
      const second = await createKey(t.app, user.accessToken, projectId);
      await send(t.app, 'DELETE', `/v1/projects/${projectId}/keys/${first.id}`, user.accessToken);
      const created = await auditRows(t.app, user.accessToken, projectId, '?action=key.created');
      expect(created.map((row) => row.targetId)).toEqual([second.id, first.id]);
      const ofFirst = await auditRows(t.app, user.accessToken, projectId, `?keyId=${first.id}`);
      expect(ofFirst.map((row) => row.action)).toEqual(['key.revoked', 'key.created']);
      const revokedFirst = await auditRows(t.app, user.accessToken, projectId, `?keyId=${first.id}&action=key.revoked`);
      expect(revokedFirst).toHaveLength(1);
      expect(await auditRows(t.app, user.accessToken, projectId, `?keyId=${second.id}&action=key.revoked`)).toEqual([]);
    });

    it('filters by time range', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId);
      // The app's clock moved between the changes, so that each has its own timestamp (the
      // entries' times are the clock's, not the database's).
      clock.advance(20);
      await send(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, { payload: { label: 'middle' } });
      clock.advance(20);
      await send(t.app, 'DELETE', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken);
      const rows = await auditRows(t.app, user.accessToken, projectId, `?keyId=${key.id}`);
      expect(rows.map((row) => row.action)).toEqual(['key.revoked', 'key.updated', 'key.created']);
      const [revoked, updated, created] = rows as [AuditRow, AuditRow, AuditRow];
      const plus1ms = (iso: string): string => new Date(Date.parse(iso) + 1).toISOString();
      const q = (range: string): string => `?keyId=${key.id}&${range}`;

      const middle = await auditRows(t.app, user.accessToken, projectId, q(`from=${updated.createdAt}&to=${plus1ms(updated.createdAt)}`));
      expect(middle.map((row) => row.id)).toEqual([updated.id]);
      const fromMiddle = await auditRows(t.app, user.accessToken, projectId, q(`from=${updated.createdAt}`));
      expect(fromMiddle.map((row) => row.id)).toEqual([revoked.id, updated.id]);
      const untilFirst = await auditRows(t.app, user.accessToken, projectId, q(`to=${plus1ms(created.createdAt)}`));
      expect(untilFirst.map((row) => row.id)).toEqual([created.id]);
      const future = new Date(Date.now() + 86_400_000).toISOString();
      expect(await auditRows(t.app, user.accessToken, projectId, q(`from=${future}`))).toEqual([]);
    });

    it('refuses a time that is not a date-time', async () => {
      const { user, projectId } = await userWithProject(t.app);
      expect((await auditRequest(t.app, user.accessToken, projectId, '?from=yesterday')).statusCode).toBe(400);
    });

    it('pages with limit=2 through every row without duplicates', async () => {
      const { user, projectId } = await userWithProject(t.app);
      for (let i = 0; i < 3; i++) {
        const key = await createKey(t.app, user.accessToken, projectId, { label: `k${i}` });
        await send(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, { payload: { label: `k${i}!` } });
      }
      const all = await auditRows(t.app, user.accessToken, projectId);
      expect(all).toHaveLength(7);

      const seen: string[] = [];
      let url: string | null = `/v1/projects/${projectId}/audit?limit=2`;
      let pages = 0;
      while (url !== null && pages < 20) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer(user.accessToken) });
        expect(response.statusCode).toBe(200);
        const page = response.json<AuditRow[]>();
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page.map((row) => row.id));
        url = nextLink(response);
        pages++;
      }
      expect(pages).toBe(4);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(all.map((row) => row.id));
    });

    it('keeps the filter while paging', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const created: string[] = [];
      for (let i = 0; i < 3; i++) {
        const key = await createKey(t.app, user.accessToken, projectId);
        created.push(key.id);
        await send(t.app, 'DELETE', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken);
      }
      const seen: string[] = [];
      let url: string | null = `/v1/projects/${projectId}/audit?action=key.revoked&limit=2`;
      for (let pages = 0; url !== null && pages < 10; pages++) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer(user.accessToken) });
        const page = response.json<AuditRow[]>();
        expect(page.every((row) => row.action === 'key.revoked')).toBe(true);
        seen.push(...page.map((row) => row.targetId ?? ''));
        url = nextLink(response);
      }
      expect(seen).toEqual([...created].reverse());
    });

    it('refuses a malformed cursor with 400', async () => {
      const { user, projectId } = await userWithProject(t.app);
      expect((await auditRequest(t.app, user.accessToken, projectId, '?cursor=not-a-cursor')).statusCode).toBe(400);
    });

    it('exports the same rows as CSV with a header row', async () => {
      const { user, projectId } = await userWithProject(t.app);
      const key = await createKey(t.app, user.accessToken, projectId, { label: 'has, a comma' });
      await send(t.app, 'PATCH', `/v1/projects/${projectId}/keys/${key.id}`, user.accessToken, { payload: { label: 'say "hi"' } });
      await verifyKey(t.app, key.key, { scopes: ['x:y'] });
      const rows = await auditRows(t.app, user.accessToken, projectId);
      const response = await auditRequest(t.app, user.accessToken, projectId, '?format=csv');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csvLines(response.body);
      const header = (lines[0] ?? '').split(',');
      expect(header).toEqual(expect.arrayContaining(['id', 'action', 'actorId', 'targetId', 'requestId', 'ip', 'changes', 'createdAt']));
      expect(lines.length - 1).toBe(rows.length);
      const idColumn = header.indexOf('id');
      expect(lines.slice(1).map((line) => line.split(',')[idColumn])).toEqual(rows.map((row) => row.id));

      const filtered = await auditRequest(t.app, user.accessToken, projectId, '?format=csv&action=key.created');
      expect(csvLines(filtered.body)).toHaveLength(2);
    });

    it("answers 404 for another user's project, and 401 without a token", async () => {
      const { user, projectId } = await userWithProject(t.app);
      await createKey(t.app, user.accessToken, projectId);
      const other = await registerUser(t.app);
      await createProject(t.app, other.accessToken);
      expect((await auditRequest(t.app, other.accessToken, projectId)).statusCode).toBe(404);
      expect((await auditRequest(t.app, other.accessToken, projectId, '?format=csv')).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/audit` })).statusCode).toBe(401);
      expect((await auditRequest(t.app, user.accessToken, 'not-a-uuid')).statusCode).toBe(404);
    });

    it("does not show one project's rows in another's log", async () => {
      const { user, projectId } = await userWithProject(t.app);
      const second = await createProject(t.app, user.accessToken, 'second');
      const key = await createKey(t.app, user.accessToken, projectId);
      const rows = await auditRows(t.app, user.accessToken, second.id);
      expect(rows.map((row) => row.action)).toEqual(['project.created']);
      expect(await auditRows(t.app, user.accessToken, second.id, `?keyId=${key.id}`)).toEqual([]);
    });
  });
});
