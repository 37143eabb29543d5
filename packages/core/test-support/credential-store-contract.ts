import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock, type Clock } from '../src/clock.js';
import { credentialVerbs } from '../src/credentials/credential-verbs.js';
import { createDigester } from '../src/keys/digest.js';
import { generateCredential } from '../src/keys/key-format.js';
import { MemoryLimiter } from '../src/limiter/limiter.js';
import { credentialStatus, type Credential, type CredentialStatus, type NewCredential } from '../src/credentials/credential.js';
import { NameTakenError, type AuditEntry, type AuditRecord, type CredentialStore, type ProjectRef } from '../src/credentials/ports.js';
import { recordOf } from '../src/credentials/record-of.js';
import { ElyzorError } from '../src/errors.js';
import type { ProjectRole, Role } from '../src/teams/roles.js';
import type { OutboxEvent } from '../src/webhooks/events.js';

/** What a store under contract comes with: a way to make projects and to read what was audited. */
export interface StoreUnderTest {
  store: CredentialStore;
  /** Creates a project in a workspace of its own, with no members (its `role` is null). */
  addProject(name: string): Promise<ProjectRef>;
  /** A new user, member of the project's workspace with `role` (and `projectRole` in the project); their id. */
  addMember(project: ProjectRef, role: Role, projectRole: ProjectRole | null): Promise<string>;
  /** The audit entries written for a project, oldest first, with the time the store gave each. */
  auditOf(projectId: string): Promise<AuditRecord[]>;
  /** The outbox events written for a project, oldest first. */
  eventsOf(projectId: string): Promise<OutboxEvent[]>;
  close(): Promise<void>;
}

let counter = 0;
const publicId = (): string => `p${(++counter).toString().padStart(6, '0')}${randomUUID().replace(/-/g, '').slice(0, 9)}`;

function newKey(projectId: string, overrides: Partial<NewCredential> = {}): NewCredential {
  return { projectId, kind: 'key', environment: 'live', publicId: publicId(), digest: 'd'.repeat(64), label: null, name: null, ...overrides };
}

function newService(projectId: string, name: string, overrides: Partial<NewCredential> = {}): NewCredential {
  return newKey(projectId, { kind: 'service', name, ...overrides });
}

const insert = (store: CredentialStore, values: NewCredential): Promise<Credential> => store.transaction((tx) => tx.insertCredential(values));

const audit = (projectId: string, action: string): AuditEntry => ({
  projectId,
  actorId: null,
  requestId: 'req-1',
  ip: '127.0.0.1',
  action,
  targetType: 'key',
  targetId: null,
  changes: { label: { before: null, after: 'x' } },
});

/** An audit entry without the time its store gave it. */
const untimed = ({ at: _at, ...entry }: AuditRecord): AuditEntry => entry;

/**
 * The behaviour every credential store must have, run against each implementation (memory,
 * PGlite, PostgreSQL): a new store is proven by passing this suite, not by tests of its own.
 * `open` builds the store on the clock it is given: every time the store writes comes from it.
 */
export function credentialStoreContract(name: string, open: (clock: Clock) => Promise<StoreUnderTest>): void {
  describe(`credential store contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: CredentialStore;
    beforeAll(async () => {
      subject = await open(systemClock);
      store = subject.store;
    });
    afterAll(async () => {
      await subject.close();
    });

    it('finds and locks projects, and answers undefined for unknown ones', async () => {
      const project = await subject.addProject('contract');
      expect(await store.findProject(project.id)).toEqual(project);
      expect(await store.findProject(randomUUID())).toBeUndefined();
      expect(await store.transaction((tx) => tx.lockProject(project.id))).toEqual(project);
      expect(await store.transaction((tx) => tx.lockProject(randomUUID()))).toBeUndefined();
    });

    it("reads a project with a user's effective role: the workspace role, narrowed by the project's", async () => {
      const project = await subject.addProject('roles');
      const admin = await subject.addMember(project, 'admin', null);
      const narrowed = await subject.addMember(project, 'developer', 'viewer');
      const widened = await subject.addMember(project, 'viewer', 'admin');
      expect(await store.findProject(project.id, admin)).toEqual({ ...project, role: 'admin' });
      expect(await store.transaction((tx) => tx.lockProject(project.id, narrowed))).toEqual({ ...project, role: 'viewer' });
      expect((await store.findProject(project.id, widened))?.role).toBe('viewer');
      expect((await store.findProject(project.id, randomUUID()))?.role).toBeNull();
      expect((await store.findProject(project.id, null))?.role).toBeNull();
      // Membership of another workspace gives no role here.
      const elsewhere = await subject.addMember(await subject.addProject('other'), 'owner', null);
      expect((await store.transaction((tx) => tx.lockProject(project.id, elsewhere)))?.role).toBeNull();
    });

    it('inserts with defaults and reads back every field', async () => {
      const project = await subject.addProject('defaults');
      const created = await insert(store, newKey(project.id, { label: 'ci' }));
      expect(created).toMatchObject({
        projectId: project.id,
        kind: 'key',
        environment: 'live',
        label: 'ci',
        name: null,
        enabled: true,
        expiresAt: null,
        scopes: [],
        resources: {},
        ipAllowlist: [],
        ipDenylist: [],
        rateLimit: null,
        quota: null,
        credits: null,
        metadata: null,
        tags: [],
        ownerId: null,
        revokedAt: null,
        revokeReason: null,
        replacedBy: null,
        lastUsedAt: null,
        limitKey: null,
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await store.getCredential(project.id, 'key', created.id)).toEqual(created);
    });

    it('stores every policy field as given', async () => {
      const project = await subject.addProject('policy');
      const policy = {
        enabled: false,
        expiresAt: new Date('2030-01-02T03:04:05.678Z'),
        scopes: ['read', 'write:*'],
        resources: { 'project:1': ['read'] },
        ipAllowlist: ['10.0.0.0/8'],
        ipDenylist: ['10.0.0.1'],
        rateLimit: { algorithm: 'token_bucket' as const, limit: 10, windowSeconds: 60, burst: 20 },
        quota: { limit: 1000, period: 'month' as const },
        credits: { remaining: 50, refill: { amount: 50, interval: 'day' as const }, setAt: 1_700_000_000_000 },
        metadata: { plan: 'pro', nested: { n: 1, list: [1, 'two', null] } },
        tags: ['a', 'b'],
        ownerId: 'user_42',
      };
      const created = await insert(store, newKey(project.id, policy));
      expect(created).toMatchObject(policy);
      expect(await store.getCredential(project.id, 'key', created.id)).toMatchObject(policy);
    });

    it('finds a credential only with its own project and kind', async () => {
      const [a, b] = [await subject.addProject('a'), await subject.addProject('b')];
      const key = await insert(store, newKey(a.id));
      expect(await store.getCredential(b.id, 'key', key.id)).toBeUndefined();
      expect(await store.getCredential(a.id, 'service', key.id)).toBeUndefined();
      expect(await store.getCredential(a.id, 'key', randomUUID())).toBeUndefined();
      expect(await store.transaction((tx) => tx.lockCredential(b.id, 'key', key.id))).toBeUndefined();
      expect(await store.transaction((tx) => tx.lockCredential(a.id, 'key', key.id))).toEqual(key);
    });

    it('updates only the fields of the patch', async () => {
      const project = await subject.addProject('patch');
      const key = await insert(store, newKey(project.id, { label: 'before', tags: ['keep'] }));
      const updated = await store.transaction((tx) => tx.updateCredential(key.id, { label: 'after', scopes: ['read'], revokeReason: 'because' }));
      expect(updated).toMatchObject({ label: 'after', scopes: ['read'], tags: ['keep'], revokeReason: 'because', enabled: true });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(key.updatedAt.getTime());
      expect(await store.getCredential(project.id, 'key', key.id)).toEqual(updated);
    });

    it('clones a credential for rotation: every setting carried, a new identity and history', async () => {
      const project = await subject.addProject('clone');
      const old = await insert(
        store,
        newKey(project.id, {
          label: 'rotating',
          scopes: ['read'],
          resources: { r: ['x'] },
          tags: ['t'],
          metadata: { m: 1 },
          ownerId: 'o',
          quota: { limit: 5, period: 'day' },
          ipAllowlist: ['127.0.0.1'],
          expiresAt: new Date('2031-01-01T00:00:00.000Z'),
        }),
      );
      await store.transaction((tx) => tx.updateCredential(old.id, { revokedAt: new Date(Date.now() + 60_000), revokeReason: 'rotated' }));
      const next = publicId();
      const clone = await store.transaction((tx) => tx.cloneCredential(old.id, { publicId: next, digest: 'e'.repeat(64), limitKey: old.id }));
      const { id, publicId: pid, digest, createdAt, updatedAt, revokedAt, revokeReason, limitKey, ...settings } = clone;
      const { id: _i, publicId: _p, digest: _d, createdAt: _c, updatedAt: _u, revokedAt: _r, revokeReason: _rr, limitKey: _l, ...oldSettings } = old;
      expect(settings).toEqual(oldSettings);
      expect(id).not.toBe(old.id);
      expect(pid).toBe(next);
      expect(digest).toBe('e'.repeat(64));
      expect(limitKey).toBe(old.id);
      expect(revokedAt).toBeNull();
      expect(revokeReason).toBeNull();
      expect(createdAt.getTime()).toBeGreaterThanOrEqual(old.createdAt.getTime());
      expect(updatedAt).toBeInstanceOf(Date);
    });

    it('lands all of a unit of work or nothing of it, audit entries included', async () => {
      const project = await subject.addProject('atomic');
      const failure = new ElyzorError('validation_error', 'no');
      let insertedId = '';
      await expect(
        store.transaction(async (tx) => {
          const key = await tx.insertCredential(newKey(project.id));
          insertedId = key.id;
          await tx.audit(audit(project.id, 'key.created'));
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.getCredential(project.id, 'key', insertedId)).toBeUndefined();
      expect(await subject.auditOf(project.id)).toEqual([]);

      await store.transaction(async (tx) => {
        await tx.insertCredential(newKey(project.id));
        await tx.audit(audit(project.id, 'key.created'));
      });
      expect((await subject.auditOf(project.id)).map(untimed)).toEqual([audit(project.id, 'key.created')]);
    });

    it('writes outbox events with their unit of work: all of them land with it, or none', async () => {
      const project = await subject.addProject('outbox');
      const event: OutboxEvent = { projectId: project.id, type: 'key.created', data: { projectId: project.id, key: { id: 'k', label: 'x' } } };
      const failure = new ElyzorError('validation_error', 'no');
      await expect(
        store.transaction(async (tx) => {
          await tx.insertCredential(newKey(project.id));
          await tx.emit(event);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await subject.eventsOf(project.id)).toEqual([]);

      await store.transaction(async (tx) => {
        await tx.insertCredential(newKey(project.id));
        await tx.emit(event);
        await tx.emit({ ...event, type: 'key.revoked' });
      });
      expect((await subject.eventsOf(project.id)).map((e) => ({ ...e }))).toEqual([event, { ...event, type: 'key.revoked' }]);
    });

    it('refuses a second live service of the same name with NameTakenError; a revoked one frees the name', async () => {
      const project = await subject.addProject('names');
      const billing = await insert(store, newService(project.id, 'billing'));
      await expect(insert(store, newService(project.id, 'billing'))).rejects.toBeInstanceOf(NameTakenError);
      const other = await subject.addProject('names-2');
      await insert(store, newService(other.id, 'billing'));
      await insert(store, newKey(project.id, { label: 'billing' }));
      await insert(store, newKey(project.id, { label: 'billing' }));
      const orders = await insert(store, newService(project.id, 'orders'));
      await expect(store.transaction((tx) => tx.updateCredential(orders.id, { name: 'billing' }))).rejects.toBeInstanceOf(NameTakenError);
      await store.transaction((tx) => tx.updateCredential(billing.id, { revokedAt: new Date() }));
      await insert(store, newService(project.id, 'billing'));
    });

    it('lists newest first, pages through every credential exactly once, and refuses a malformed cursor', async () => {
      const project = await subject.addProject('pages');
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await insert(store, newKey(project.id))).id);
      await insert(store, newService(project.id, 'not-a-key'));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.listCredentials(project.id, 'key', {}, { limit: 3, cursor }, Date.now());
        seen.push(...page.items.map((c) => c.id));
        if (page.next === null) break;
        cursor = page.next;
      }
      expect(seen).toEqual([...ids].reverse());
      await expect(store.listCredentials(project.id, 'key', {}, { limit: 3, cursor: 'garbage' }, Date.now())).rejects.toMatchObject({ code: 'validation_error' });
    });

    it('filters by tag, owner, environment and status, the status as statusOf decides it', async () => {
      const project = await subject.addProject('filters');
      const now = Date.now();
      const made = [
        await insert(store, newKey(project.id, { tags: ['blue'], ownerId: 'u1' })),
        await insert(store, newKey(project.id, { tags: ['red'], environment: 'test' })),
        await insert(store, newKey(project.id, { enabled: false, ownerId: 'u1' })),
        await insert(store, newKey(project.id, { expiresAt: new Date(now - 1000) })),
        await insert(store, newKey(project.id, { expiresAt: new Date(now + 3_600_000) })),
        await insert(store, newKey(project.id, { enabled: false, expiresAt: new Date(now - 1000) })),
      ];
      const revoked = await insert(store, newKey(project.id, { expiresAt: new Date(now - 1000) }));
      const overlap = await insert(store, newKey(project.id));
      await store.transaction(async (tx) => {
        await tx.updateCredential(revoked.id, { revokedAt: new Date(now - 500) });
        await tx.updateCredential(overlap.id, { revokedAt: new Date(now + 60_000) });
      });
      const all = [...made, revoked, overlap].map((c) => c.id);
      const current = await Promise.all(all.map(async (id) => (await store.getCredential(project.id, 'key', id)) as Credential));
      const list = async (filters: Parameters<CredentialStore['listCredentials']>[2]): Promise<string[]> =>
        (await store.listCredentials(project.id, 'key', filters, { limit: 100 }, now)).items.map((c) => c.id).sort();
      for (const status of ['active', 'disabled', 'expired', 'revoked'] as CredentialStatus[]) {
        expect(await list({ status })).toEqual(current.filter((c) => credentialStatus(c, now) === status).map((c) => c.id).sort());
      }
      expect(await list({ tag: 'blue' })).toEqual([made[0]?.id].sort());
      expect(await list({ ownerId: 'u1' })).toEqual([made[0]?.id, made[2]?.id].sort());
      expect(await list({ environment: 'test' })).toEqual([made[1]?.id].sort());
      expect(await list({ environment: 'live', status: 'active' })).toEqual(current.filter((c) => c.environment === 'live' && credentialStatus(c, now) === 'active').map((c) => c.id).sort());
    });

    it('reads verification records by public id, as recordOf makes them', async () => {
      const project = await subject.addProject('records');
      const key = await insert(store, newKey(project.id, { scopes: ['read'], quota: { limit: 3, period: 'day' } }));
      const found = await store.findRecords([key.publicId, 'unknown000000000']);
      expect([...found.keys()]).toEqual([key.publicId]);
      expect(found.get(key.publicId)).toEqual(recordOf(key));
    });

    // "All time comes from the injected clock": a store on a clock years away from the real one
    // writes that clock's times, never its host's or its database's (`now()`).
    describe('on a clock far from real time', () => {
      const start = Date.UTC(2031, 0, 1);
      const clock = new ManualClock(start);
      let timed: StoreUnderTest;
      beforeAll(async () => {
        timed = await open(clock);
      });
      afterAll(async () => {
        await timed.close();
      });

      it("writes createdAt, updatedAt, revokedAt and the audit entries' times from the clock, through the verbs", async () => {
        const project = await timed.addProject('clock');
        const owner = await timed.addMember(project, 'owner', null);
        const ctx = { actor: { type: 'user' as const, userId: owner } };
        const verbs = credentialVerbs({
          store: timed.store,
          bus: { publish: () => Promise.resolve() },
          clock,
          digest: createDigester(),
          generate: generateCredential,
          limiter: new MemoryLimiter(clock),
        });
        const read = async (id: string): Promise<Credential> => (await timed.store.getCredential(project.id, 'key', id)) as Credential;
        const at = (seconds: number): Date => new Date(start + seconds * 1000);

        clock.set(at(0).getTime());
        const { id } = await verbs.create({ ctx, input: { projectId: project.id, kind: 'key', label: 'timed' } });
        expect(await read(id)).toMatchObject({ createdAt: at(0), updatedAt: at(0), revokedAt: null });

        clock.set(at(10).getTime());
        await verbs.update({ ctx, input: { projectId: project.id, kind: 'key', id, changes: { label: 'renamed' } } });
        expect(await read(id)).toMatchObject({ createdAt: at(0), updatedAt: at(10) });

        clock.set(at(20).getTime());
        await verbs.update({ ctx, input: { projectId: project.id, kind: 'key', id, changes: { enabled: false } } });
        await verbs.update({ ctx, input: { projectId: project.id, kind: 'key', id, changes: { enabled: true } } });
        expect(await read(id)).toMatchObject({ createdAt: at(0), updatedAt: at(20) });

        clock.set(at(30).getTime());
        const rotated = await verbs.rotate({ ctx, input: { projectId: project.id, kind: 'key', id, gracePeriodSeconds: 60 } });
        expect(await read(id)).toMatchObject({ createdAt: at(0), updatedAt: at(30), revokedAt: at(90), replacedBy: rotated.id });
        expect(await read(rotated.id)).toMatchObject({ createdAt: at(30), updatedAt: at(30), revokedAt: null });

        clock.set(at(40).getTime());
        await verbs.revoke({ ctx, input: { projectId: project.id, kind: 'key', id: rotated.id } });
        expect(await read(rotated.id)).toMatchObject({ createdAt: at(30), updatedAt: at(40), revokedAt: at(40) });

        expect((await timed.auditOf(project.id)).map((e) => [e.action, e.at])).toEqual([
          ['key.created', at(0)],
          ['key.updated', at(10)],
          ['key.disabled', at(20)],
          ['key.enabled', at(20)],
          ['key.rotated', at(30)],
          ['key.revoked', at(40)],
        ]);
        // The list is ordered by those times, the newest first.
        const listed = await timed.store.listCredentials(project.id, 'key', {}, { limit: 10 }, clock.now());
        expect(listed.items.map((c) => [c.id, c.createdAt])).toEqual([
          [rotated.id, at(30)],
          [id, at(0)],
        ]);
      });

      it('keeps creation times strictly increasing, and updatedAt from going back, under a frozen clock', async () => {
        const project = await timed.addProject('frozen');
        clock.set(Date.UTC(2032, 0, 1));
        const made: Credential[] = [];
        for (let i = 0; i < 3; i++) made.push(await insert(timed.store, newKey(project.id)));
        const times = made.map((c) => c.createdAt.getTime());
        expect(times).toEqual([clock.now(), clock.now() + 1, clock.now() + 2]);
        const listed = await timed.store.listCredentials(project.id, 'key', {}, { limit: 10 }, clock.now());
        expect(listed.items.map((c) => c.id)).toEqual(made.map((c) => c.id).reverse());
        const last = made[2] as Credential;
        const updated = await timed.store.transaction((tx) => tx.updateCredential(last.id, { label: 'x' }));
        expect(updated.updatedAt).toEqual(last.updatedAt);
      });
    });
  });
}
