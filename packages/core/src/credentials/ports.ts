import type { Environment } from '../keys/key-format.js';
import type { UnkeyFormat } from '../keys/unkey-format.js';
import type { Role } from '../teams/roles.js';
import type { CredentialKind, CredentialRecord } from '../verify/record.js';
import type { OutboxEvent } from '../webhooks/events.js';
import type { Credential, CredentialPatch, CredentialStatus, NewCredential } from './credential.js';

/**
 * A project as the engine's authorization sees it, read for one caller: the workspace it
 * belongs to and that user's effective role in it (`effectiveRole`: the workspace role,
 * narrowed by the project's own).
 */
export interface ProjectRef {
  id: string;
  name: string;
  /** The user who created it (kept for the record; reach comes from membership). */
  ownerId: string;
  workspaceId: string;
  /** The effective role of the user it was read for; null when not a member, or read for no user. */
  role: Role | null;
}

export interface CredentialFilters {
  tag?: string | undefined;
  ownerId?: string | undefined;
  environment?: Environment | undefined;
  status?: CredentialStatus | undefined;
}

/** Keyset pages over (createdAt desc, id desc): stable under inserts. */
export interface PageRequest {
  limit: number;
  /** Opaque: made by the store that answered the previous page. */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** The cursor of the next page, or null on the last one. */
  next: string | null;
}

/** Fields that changed: what they were and what they became. Never secrets or digests. */
export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

export interface AuditEntry {
  projectId: string;
  /** The actor's id (see `actorId`), null for Elyzor itself. */
  actorId: string | null;
  /** The kind of actor (`user`, `root_key`, …); absent in entries written before it was recorded. */
  actorType?: string | null;
  requestId: string | null;
  ip: string | null;
  action: string;
  targetType: 'project' | 'key' | 'service' | 'webhook';
  targetId: string | null;
  changes: AuditChanges | null;
}

/** An audit entry as a store wrote it: with its time, read from the store's injected clock. */
export interface AuditRecord extends AuditEntry {
  at: Date;
}

/**
 * What a verb may do inside one unit of work. Locks are taken in one order everywhere — the
 * project first, then its credentials — so that concurrent changes and a project's deletion
 * never deadlock; a project that is gone (or being deleted) reads as absent.
 */
export interface CredentialTx {
  /**
   * The project, locked against deletion until the unit of work ends, with the role of `userId`
   * in it (null: read for no user); undefined if absent.
   */
  lockProject(projectId: string, userId?: string | null): Promise<ProjectRef | undefined>;
  /** The credential, locked for a read-modify-write; undefined unless it is of this kind in this project. */
  lockCredential(projectId: string, kind: CredentialKind, id: string): Promise<Credential | undefined>;
  insertCredential(values: NewCredential): Promise<Credential>;
  updateCredential(id: string, patch: CredentialPatch): Promise<Credential>;
  /**
   * Rotation's copy: a new credential with every column of `id` carried over (so a column added
   * later cannot be forgotten), except its identity, secret and history, which start afresh.
   */
  cloneCredential(id: string, replacement: { publicId: string; digest: string; limitKey: string; keyFormat?: UnkeyFormat | null }): Promise<Credential>;
  /** Written in this unit of work: the change and its audit entry land together, or neither. */
  audit(entry: AuditEntry): Promise<void>;
  /**
   * Writes an event to the webhook outbox in this unit of work: the change and its event land
   * together, or neither, so a delivered event always describes a change that happened and a
   * committed change is never left without its event.
   */
  emit(event: OutboxEvent): Promise<void>;
}

/**
 * Where credentials live. Implemented over SQL by the server (PGlite and PostgreSQL) and in
 * memory by `MemoryCredentialStore`; `credentialStoreContract` holds every implementation to
 * the same behaviour.
 */
export interface CredentialStore {
  /** Runs `work` in one unit of work: all of its writes land, or none does. */
  transaction<T>(work: (tx: CredentialTx) => Promise<T>): Promise<T>;
  /** The project with the role of `userId` in it (null: read for no user). */
  findProject(projectId: string, userId?: string | null): Promise<ProjectRef | undefined>;
  getCredential(projectId: string, kind: CredentialKind, id: string): Promise<Credential | undefined>;
  /** Newest first; `status` filters by `statusOf` at `now`. */
  listCredentials(projectId: string, kind: CredentialKind, filters: CredentialFilters, page: PageRequest, now: number): Promise<Page<Credential>>;
  /** The verification path's read of a burst of cache misses. */
  findRecords(publicIds: readonly string[]): Promise<Map<string, CredentialRecord>>;
}

/** Publishes that credentials changed, so every instance drops its cached copies. */
export interface ChangeBus {
  publish(publicIds: readonly string[]): Promise<void>;
}

/**
 * Thrown by a store when a write would give a project two live services of the same name (the
 * store's uniqueness rule decides, so concurrent writers cannot both win).
 */
export class NameTakenError extends Error {
  constructor() {
    super('A live service with this name already exists in this project');
    this.name = 'NameTakenError';
  }
}
