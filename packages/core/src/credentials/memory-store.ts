import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { validationError } from '../errors.js';
import type { CredentialKind, CredentialRecord } from '../verify/record.js';
import { isUuid } from './authorize.js';
import { credentialStatus, type Credential, type CredentialPatch, type NewCredential } from './credential.js';
import { NameTakenError, type AuditRecord, type CredentialFilters, type CredentialStore, type CredentialTx, type Page, type PageRequest, type ProjectRef } from './ports.js';
import type { OutboxEvent } from '../webhooks/events.js';
import { isStorableDate } from './policy.js';
import { recordOf } from './record-of.js';
import { effectiveRole, type ProjectRole, type Role } from '../teams/roles.js';

const DEFAULTS = {
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
  keyFormat: null,
} satisfies Partial<Credential>;

const encodeCursor = (c: Credential): string => Buffer.from(`${c.createdAt.toISOString()}|${c.id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (id === undefined || !isStorableDate(createdAt) || !isUuid(id)) throw validationError('cursor is not valid');
  return { createdAt: createdAt.getTime(), id };
}

/** Newest first, ties by id descending: the order of every list. */
const newestFirst = (a: Credential, b: Credential): number => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Deep copies, so that a caller holding a credential cannot change what is stored. */
const copy = (credential: Credential): Credential => structuredClone(credential);

/**
 * The credential store in memory: the engine's twin of the SQL store, held to the same contract
 * suite. Units of work run one at a time and write to an overlay that is merged only when the
 * work succeeds, so readers never see half of one and a failure leaves nothing behind.
 */
export class MemoryCredentialStore implements CredentialStore {
  private readonly projects = new Map<string, Omit<ProjectRef, 'role'>>();
  /** Workspace id → user id → role. */
  private readonly workspaceRoles = new Map<string, Map<string, Role>>();
  /** Project id → user id → the project's narrower role. */
  private readonly projectRoles = new Map<string, Map<string, ProjectRole>>();
  private readonly credentials = new Map<string, Credential>();
  private readonly byPublicId = new Map<string, string>();
  /** Every audit entry written, oldest first, each with the clock's time when it was written. */
  readonly auditLog: AuditRecord[] = [];
  /** Every outbox event written, oldest first (the memory store delivers nothing itself). */
  readonly outbox: OutboxEvent[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private lastCreatedAt = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Projects are managed outside the credential verbs; tests and embedders add them here. */
  putProject(project: Omit<ProjectRef, 'role'>): void {
    this.projects.set(project.id, { id: project.id, name: project.name, ownerId: project.ownerId, workspaceId: project.workspaceId });
  }

  /** Makes `userId` a member of the workspace with `role` (what the server's membership verbs do in SQL). */
  putMember(workspaceId: string, userId: string, role: Role): void {
    const members = this.workspaceRoles.get(workspaceId) ?? new Map<string, Role>();
    members.set(userId, role);
    this.workspaceRoles.set(workspaceId, members);
  }

  /** Gives a member a narrower role in one project (null: the workspace role again). */
  putProjectRole(projectId: string, userId: string, role: ProjectRole | null): void {
    const roles = this.projectRoles.get(projectId) ?? new Map<string, ProjectRole>();
    if (role === null) roles.delete(userId);
    else roles.set(userId, role);
    this.projectRoles.set(projectId, roles);
  }

  /** The project as `userId` sees it: with their effective role. */
  private projectFor(projectId: string, userId: string | null | undefined): ProjectRef | undefined {
    const project = this.projects.get(projectId);
    if (project === undefined) return undefined;
    const user = userId ?? null;
    const role = user === null ? null : effectiveRole(this.workspaceRoles.get(project.workspaceId)?.get(user) ?? null, this.projectRoles.get(projectId)?.get(user) ?? null);
    return { ...project, role };
  }

  /** Deletes a project with its credentials (what the server's project deletion does in SQL). */
  async deleteProject(projectId: string): Promise<string[]> {
    return this.exclusive(() => {
      this.projects.delete(projectId);
      const publicIds: string[] = [];
      for (const [id, credential] of this.credentials) {
        if (credential.projectId !== projectId) continue;
        this.credentials.delete(id);
        this.byPublicId.delete(credential.publicId);
        publicIds.push(credential.publicId);
      }
      return Promise.resolve(publicIds);
    });
  }

  transaction<T>(work: (tx: CredentialTx) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const staged = new Map<string, Credential>();
      const audit: AuditRecord[] = [];
      const events: OutboxEvent[] = [];
      const read = (id: string): Credential | undefined => staged.get(id) ?? this.credentials.get(id);
      const all = (): Credential[] => [...new Map([...this.credentials, ...staged]).values()];
      const checkName = (candidate: Credential): void => {
        if (candidate.kind !== 'service' || candidate.revokedAt !== null) return;
        const taken = all().some(
          (other) => other.id !== candidate.id && other.kind === 'service' && other.projectId === candidate.projectId && other.revokedAt === null && other.name === candidate.name,
        );
        if (taken) throw new NameTakenError();
      };
      // Each method answers with a promise, failures included, as a real store's would.
      const settle = <R>(run: () => R): Promise<R> => {
        try {
          return Promise.resolve(run());
        } catch (error) {
          return Promise.reject(error as Error);
        }
      };
      const tx: CredentialTx = {
        lockProject: (projectId, userId) => Promise.resolve(this.projectFor(projectId, userId)),
        lockCredential: (projectId, kind, id) => Promise.resolve(this.matching(read(id), projectId, kind)),
        insertCredential: (values) =>
          settle(() => {
            const credential = this.newCredential(values);
            checkName(credential);
            staged.set(credential.id, credential);
            return copy(credential);
          }),
        updateCredential: (id, patch) =>
          settle(() => {
            const current = read(id);
            if (current === undefined) throw new Error(`credential ${id} does not exist`);
            const next = this.patched(current, patch);
            checkName(next);
            staged.set(id, next);
            return copy(next);
          }),
        cloneCredential: (id, replacement) => settle(() => {
          const old = read(id);
          if (old === undefined) throw new Error(`credential ${id} does not exist`);
          const at = this.createdAt();
          const credential: Credential = {
            ...copy(old),
            id: randomUUID(),
            publicId: replacement.publicId,
            digest: replacement.digest,
            limitKey: replacement.limitKey,
            keyFormat: replacement.keyFormat ?? null,
            createdAt: at,
            updatedAt: at,
            lastUsedAt: null,
            revokedAt: null,
            revokeReason: null,
            replacedBy: null,
          };
          checkName(credential);
          staged.set(credential.id, credential);
          return copy(credential);
        }),
        audit: (entry) => {
          audit.push({ ...structuredClone(entry), at: new Date(this.clock.now()) });
          return Promise.resolve();
        },
        emit: (event) => {
          events.push(structuredClone(event));
          return Promise.resolve();
        },
      };
      const result = await work(tx);
      for (const [id, credential] of staged) {
        this.credentials.set(id, credential);
        this.byPublicId.set(credential.publicId, id);
      }
      this.auditLog.push(...audit);
      this.outbox.push(...events);
      return result;
    });
  }

  findProject(projectId: string, userId?: string | null): Promise<ProjectRef | undefined> {
    return Promise.resolve(this.projectFor(projectId, userId));
  }

  getCredential(projectId: string, kind: CredentialKind, id: string): Promise<Credential | undefined> {
    const found = this.matching(this.credentials.get(id), projectId, kind);
    return Promise.resolve(found === undefined ? undefined : copy(found));
  }

  listCredentials(projectId: string, kind: CredentialKind, filters: CredentialFilters, page: PageRequest, now: number): Promise<Page<Credential>> {
    try {
      return Promise.resolve(this.list(projectId, kind, filters, page, now));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private list(projectId: string, kind: CredentialKind, filters: CredentialFilters, page: PageRequest, now: number): Page<Credential> {
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = [...this.credentials.values()]
      .filter(
        (c) =>
          c.projectId === projectId &&
          c.kind === kind &&
          (filters.tag === undefined || c.tags.includes(filters.tag)) &&
          (filters.ownerId === undefined || c.ownerId === filters.ownerId) &&
          (filters.environment === undefined || c.environment === filters.environment) &&
          (filters.status === undefined || credentialStatus(c, now) === filters.status) &&
          (after === undefined || c.createdAt.getTime() < after.createdAt || (c.createdAt.getTime() === after.createdAt && c.id < after.id)),
      )
      .sort(newestFirst)
      .slice(0, page.limit + 1);
    const items = rows.slice(0, page.limit).map(copy);
    const last = items.at(-1);
    return { items, next: rows.length > page.limit && last !== undefined ? encodeCursor(last) : null };
  }

  findRecords(publicIds: readonly string[]): Promise<Map<string, CredentialRecord>> {
    const found = new Map<string, CredentialRecord>();
    for (const publicId of publicIds) {
      const id = this.byPublicId.get(publicId);
      const credential = id === undefined ? undefined : this.credentials.get(id);
      if (credential !== undefined) found.set(publicId, recordOf(credential));
    }
    return Promise.resolve(found);
  }

  private matching(credential: Credential | undefined, projectId: string, kind: CredentialKind): Credential | undefined {
    return credential !== undefined && credential.projectId === projectId && credential.kind === kind ? copy(credential) : undefined;
  }

  /** Creation times strictly increase, so "newest first" is the order of creation even with a frozen clock. */
  private createdAt(): Date {
    this.lastCreatedAt = Math.max(this.clock.now(), this.lastCreatedAt + 1);
    return new Date(this.lastCreatedAt);
  }

  private newCredential(values: NewCredential): Credential {
    if (this.byPublicId.has(values.publicId)) throw new Error('public id already exists');
    const at = this.createdAt();
    return {
      ...structuredClone(DEFAULTS),
      ...structuredClone(values),
      id: randomUUID(),
      createdAt: at,
      updatedAt: at,
      lastUsedAt: null,
      revokedAt: null,
      revokeReason: null,
      replacedBy: null,
      limitKey: null,
    };
  }

  private patched(current: Credential, patch: CredentialPatch): Credential {
    const defined = Object.fromEntries(Object.entries(structuredClone(patch)).filter(([, value]) => value !== undefined));
    return { ...current, ...defined, updatedAt: new Date(Math.max(this.clock.now(), current.updatedAt.getTime())) };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
