import { NameTakenError, recordOf, systemClock, type Clock, type AuditEntry, type Credential, type CredentialKind, type CredentialPatch, type CredentialRecord, type CredentialStore, type CredentialTx, type CreditsPolicy, type NewCredential, type ProjectRef, type QuotaPolicy, type RateLimitPolicy, type UnkeyFormat } from '@elyzor/core';
import type { Insertable, Kysely, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { CredentialsTable, Schema } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { writeOutboxEvent } from './webhook-outbox.js';
import { afterCursor, toPage } from './page.js';
import { copyKeyRoles } from './rbac.js';
import { findProjectRef } from './projects.js';
import type { CredentialRow } from './credentials.js';

type Db = Kysely<Schema>;

const json = (value: unknown): string => JSON.stringify(value);
const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/** A row of `credentials` as the engine sees it. */
export function toCredential(row: CredentialRow): Credential {
  return {
    id: row.id,
    projectId: row.project_id,
    kind: row.kind,
    environment: row.environment,
    publicId: row.public_id,
    digest: row.digest,
    label: row.label,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
    replacedBy: row.replaced_by,
    enabled: row.enabled,
    expiresAt: row.expires_at,
    scopes: row.scopes,
    resources: row.resource_scopes,
    ipAllowlist: row.ip_allowlist,
    ipDenylist: row.ip_denylist,
    rateLimit: row.rate_limit as RateLimitPolicy | null,
    quota: row.quota as QuotaPolicy | null,
    credits: row.credits as CreditsPolicy | null,
    metadata: row.metadata,
    tags: row.tags,
    ownerId: row.owner_id,
    limitKey: row.limit_key,
    keyFormat: row.key_format as UnkeyFormat | null,
  };
}

/** The columns of the fields a patch sets (and only those). */
function patchColumns(patch: CredentialPatch): Updateable<CredentialsTable> {
  const columns: Updateable<CredentialsTable> = {};
  if (patch.label !== undefined) columns.label = patch.label;
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.enabled !== undefined) columns.enabled = patch.enabled;
  if (patch.expiresAt !== undefined) columns.expires_at = patch.expiresAt;
  if (patch.scopes !== undefined) columns.scopes = json(patch.scopes);
  if (patch.resources !== undefined) columns.resource_scopes = json(patch.resources);
  if (patch.ipAllowlist !== undefined) columns.ip_allowlist = json(patch.ipAllowlist);
  if (patch.ipDenylist !== undefined) columns.ip_denylist = json(patch.ipDenylist);
  if (patch.rateLimit !== undefined) columns.rate_limit = jsonOrNull(patch.rateLimit);
  if (patch.quota !== undefined) columns.quota = jsonOrNull(patch.quota);
  if (patch.credits !== undefined) columns.credits = jsonOrNull(patch.credits);
  if (patch.metadata !== undefined) columns.metadata = jsonOrNull(patch.metadata);
  if (patch.tags !== undefined) columns.tags = json(patch.tags);
  if (patch.ownerId !== undefined) columns.owner_id = patch.ownerId;
  if (patch.revokedAt !== undefined) columns.revoked_at = patch.revokedAt;
  if (patch.revokeReason !== undefined) columns.revoke_reason = patch.revokeReason;
  if (patch.replacedBy !== undefined) columns.replaced_by = patch.replacedBy;
  return columns;
}

/** `at`: the creation time, from the store's clock (never the database's `now()`). */
function insertColumns(values: NewCredential, at: Date): Insertable<CredentialsTable> {
  const { projectId, kind, environment, publicId, digest, label, name, keyFormat, ...policy } = values;
  return {
    key_format: jsonOrNull(keyFormat ?? null),
    project_id: projectId,
    kind,
    environment,
    public_id: publicId,
    digest,
    label,
    name,
    ...(patchColumns(policy) as Omit<Insertable<CredentialsTable>, 'project_id' | 'kind' | 'environment' | 'public_id' | 'digest' | 'created_at' | 'updated_at'>),
    created_at: at,
    updated_at: at,
  };
}

/** The unique index of live service names is what decides a race between two writers. */
async function namesChecked<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // node-postgres names the constraint; PGlite's worker passes on the code and message only.
    const failure = error as { code?: unknown; constraint?: unknown; message?: unknown } | null;
    const index = 'credentials_service_name_idx';
    if (failure?.code === '23505' && (failure.constraint === index || String(failure.message).includes(index))) throw new NameTakenError();
    throw error;
  }
}

/**
 * Every column of `credentials` except those a rotation starts afresh. Listed from the table's
 * own catalogue at run time, so a column added by a later migration is carried over by
 * rotation without anyone remembering to add it here.
 */
const FRESH_ON_ROTATION = new Set(['id', 'public_id', 'digest', 'limit_key', 'created_at', 'updated_at', 'last_used_at', 'revoked_at', 'revoke_reason', 'replaced_by', 'key_format']);

async function carriedColumns(db: Db): Promise<string[]> {
  const rows = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = 'credentials' order by ordinal_position`.execute(db);
  return rows.rows.map((r) => r.column_name).filter((name) => !FRESH_ON_ROTATION.has(name));
}

const oneCredential = (db: Db, projectId: string, kind: CredentialKind, id: string) =>
  db.selectFrom('credentials').selectAll().where('id', '=', id).where('project_id', '=', projectId).where('kind', '=', kind);


/**
 * Writes of one unit of work, inside a Kysely transaction. Every time it writes comes from the
 * injected clock (`createdAt` is the store's strictly increasing reading of it), as in the memory
 * store: under a manual clock both stores agree, and no row holds the database host's time.
 */
function sqlTx(trx: Db, clock: Clock, createdAt: () => Date, columns: (db: Db) => Promise<string[]>): CredentialTx {
  return {
    // Creations and changes in one project run side by side; a deletion waits for them, or
    // they wait for it and find nothing (404).
    lockProject: (projectId, userId) => findProjectRef(trx, projectId, 'key share', userId ?? null),
    async lockCredential(projectId, kind, id) {
      const row = await oneCredential(trx, projectId, kind, id).forUpdate().executeTakeFirst();
      return row === undefined ? undefined : toCredential(row);
    },
    insertCredential: (values) =>
      namesChecked(async () => toCredential(await trx.insertInto('credentials').values(insertColumns(values, createdAt())).returningAll().executeTakeFirstOrThrow())),
    updateCredential: (id, patch) =>
      namesChecked(async () =>
        toCredential(
          await trx
            .updateTable('credentials')
            // Never backwards (a creation time may run ahead of the clock by a few ms, see `createdAt`).
            .set({ ...patchColumns(patch), updated_at: sql<Date>`greatest(updated_at, ${new Date(clock.now())})` })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow(),
        ),
      ),
    cloneCredential: (id, replacement) =>
      namesChecked(async () => {
        const carried = (await columns(trx)).map((name) => sql.id(name));
        const list = sql.join(carried);
        const at = createdAt();
        const result = await sql<CredentialRow>`
          insert into credentials (${list}, public_id, digest, limit_key, key_format, created_at, updated_at)
          select ${list}, ${replacement.publicId}, ${replacement.digest}, ${replacement.limitKey}, ${jsonOrNull(replacement.keyFormat ?? null)}, ${at}, ${at}
          from credentials where id = ${id}
          returning *`.execute(trx);
        const row = result.rows[0];
        if (row === undefined) throw new Error(`credential ${id} does not exist`);
        // The replacement holds the same Unkey roles (a reroll keeps roles, as at Unkey).
        await copyKeyRoles(trx, id, row.id);
        return toCredential(row);
      }),
    audit: (entry: AuditEntry) => recordAudit(trx, entry, new Date(clock.now())),
    async emit(event) {
      await writeOutboxEvent(trx, event, new Date(clock.now()));
    },
  };
}

/** A key's Unkey roles and their permissions' slugs, read with the key in the same statement (one round trip). */
const KEY_ROLE_GRANTS = sql<Array<{ role: string; slug: string | null }> | null>`(
  select jsonb_agg(jsonb_build_object('role', r.name, 'slug', p.slug))
  from rbac_key_roles kr join rbac_roles r on r.id = kr.role_id
  left join rbac_role_permissions rp on rp.role_id = r.id left join rbac_permissions p on p.id = rp.permission_id
  where kr.credential_id = credentials.id)`;

/** The record with its roles' permissions beside its own scopes: what `/v1/verify`'s scopes and `/v2` queries test. */
function withRoleGrants(record: CredentialRecord, grants: Array<{ role: string; slug: string | null }> | null): CredentialRecord {
  if (grants === null || grants.length === 0) return record;
  const global = [...new Set([...record.scopes.global, ...grants.flatMap((g) => (g.slug === null ? [] : [g.slug]))])];
  return { ...record, scopes: { global, resources: record.scopes.resources }, roles: [...new Set(grants.map((g) => g.role))].sort() };
}

/** The engine's credential store over SQL: PGlite (embedded) and PostgreSQL alike. */
export class SqlCredentialStore implements CredentialStore {
  private columns: Promise<string[]> | null = null;
  private lastCreatedAt = 0;

  /**
   * `lookups` serves the verification path's reads (the priority pool, so that a verification
   * never waits behind management reads for a connection); by default, `db`.
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    private readonly lookups: Db = db,
  ) {}

  transaction<T>(work: (tx: CredentialTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) =>
      work(
        sqlTx(
          trx,
          this.clock,
          () => this.createdAt(),
          (db) => this.carried(db),
        ),
      ),
    );
  }

  /**
   * Creation times strictly increase within this store, so "newest first" is the order of
   * creation even for two credentials made in the same millisecond, or under a frozen clock
   * (the memory store does the same). Times are whole milliseconds, as the clock gives them and
   * as list cursors carry them.
   */
  private createdAt(): Date {
    this.lastCreatedAt = Math.max(this.clock.now(), this.lastCreatedAt + 1);
    return new Date(this.lastCreatedAt);
  }

  findProject(projectId: string, userId?: string | null): Promise<ProjectRef | undefined> {
    return findProjectRef(this.db, projectId, undefined, userId ?? null);
  }

  async getCredential(projectId: string, kind: CredentialKind, id: string): Promise<Credential | undefined> {
    const row = await oneCredential(this.db, projectId, kind, id).executeTakeFirst();
    return row === undefined ? undefined : toCredential(row);
  }

  async listCredentials(...args: Parameters<CredentialStore['listCredentials']>): Promise<{ items: Credential[]; next: string | null }> {
    const [projectId, kind, filters, page, now] = args;
    let query = this.db
      .selectFrom('credentials')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('kind', '=', kind)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    if (filters.tag !== undefined) query = query.where(sql<boolean>`tags @> ${JSON.stringify([filters.tag])}::jsonb`);
    if (filters.ownerId !== undefined) query = query.where('owner_id', '=', filters.ownerId);
    if (filters.environment !== undefined) query = query.where('environment', '=', filters.environment);
    // `statusOf` in SQL: revoked, then expired, then disabled, else active (the contract suite holds them equal).
    const at = new Date(now);
    const revoked = sql<boolean>`(revoked_at is not null and revoked_at <= ${at})`;
    const expired = sql<boolean>`(expires_at is not null and expires_at <= ${at})`;
    switch (filters.status) {
      case 'revoked':
        query = query.where(revoked);
        break;
      case 'expired':
        query = query.where(sql<boolean>`not ${revoked} and ${expired}`);
        break;
      case 'disabled':
        query = query.where(sql<boolean>`not ${revoked} and not ${expired} and not enabled`);
        break;
      case 'active':
        query = query.where(sql<boolean>`not ${revoked} and not ${expired} and enabled`);
        break;
      case undefined:
        break;
    }
    if (page.cursor !== undefined) query = query.where(afterCursor(page.cursor));
    const result = toPage(await query.execute(), page.limit);
    return { items: result.items.map(toCredential), next: result.next };
  }

  async findRecords(publicIds: readonly string[]): Promise<Map<string, CredentialRecord>> {
    const rows = await this.lookups
      .selectFrom('credentials')
      .selectAll()
      .select(KEY_ROLE_GRANTS.as('role_grants'))
      .where('public_id', '=', sql<string>`any(${[...publicIds]}::text[])`)
      .execute();
    return new Map(rows.map(({ role_grants, ...row }) => [row.public_id, withRoleGrants(recordOf(toCredential(row)), role_grants)]));
  }

  /**
   * Whether any key not of Elyzor's format is stored (created at /v2 or imported by its hash),
   * revoked ones included: they must still answer as revoked. Read once at start.
   */
  async holdsForeignKeys(): Promise<boolean> {
    const row = await this.db
      .selectNoFrom((eb) => eb.exists(eb.selectFrom('credentials').select(sql<number>`1`.as('one')).where('key_format', 'is not', null)).as('held'))
      .executeTakeFirstOrThrow();
    return row.held === true;
  }

  /** Read once, through the transaction that first needs it (PGlite has a single connection). */
  private carried(db: Db): Promise<string[]> {
    this.columns ??= carriedColumns(db).catch((error: unknown) => {
      this.columns = null;
      throw error;
    });
    return this.columns;
  }
}
