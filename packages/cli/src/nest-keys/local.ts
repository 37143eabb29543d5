import { createKeys, isApiKeyError, type ApiKeyManager, type ApiKeyMetadata, type ApiKeyRecord } from '@elyzor/keys';
import { KyselyStore } from '@elyzor/keys/kysely';
import { sql, type Kysely } from 'kysely';
import { CliError, UsageError } from '../errors.js';
import { databaseError, openDatabase } from '../local/database.js';
import type { DatabaseTarget } from '../local/database-url.js';
import { byCreation, type KeyState, type KeyView, type NestKeys, type NewKey, type RotateRequest } from './view.js';

/**
 * The library owner of every key the NestJS module creates (`NEST_OWNER` of
 * packages/nest/src/local/records.ts): the module lists and verifies only keys with it.
 * packages/cli/test/local.test.ts holds the two equal, through a real Nest app on the same table.
 */
export const NEST_OWNER = 'elyzor-nest';

/** The module's keys: hexadecimal of `secretLength` characters, stored as their SHA-256 digest. */
const HEX = '0123456789abcdef';

export interface LocalOptions {
  /** The keys table: `api_keys`, the Kysely adapter's default, unless the app names another. */
  table: string;
  /** The module's `secretLength` (default 64): a key of another length is refused by its guard. */
  secretLength: number;
  /** `create` may make the table (and a PGlite directory) when they do not exist. */
  create: boolean;
}

/** A library error (keypal's `{ code, message }`, a TypeError for bad input) as the CLI's. */
function cliError(error: unknown, id: string, target: DatabaseTarget): Error {
  if (error instanceof CliError) return error;
  if (error instanceof TypeError) return new UsageError(error.message.replace(/^create: metadata\./, ''));
  if (!isApiKeyError(error)) return databaseError(target, error);
  switch (error.code) {
    case 'KEY_NOT_FOUND':
      return new CliError(`no API key ${id}`);
    case 'ALREADY_REVOKED':
      return new CliError(`API key ${id} is already revoked`);
    case 'CANNOT_MODIFY_REVOKED':
      return new CliError(`API key ${id} is revoked or rotated and cannot be rotated again`);
    default:
      return databaseError(target, (error as { details?: unknown }).details ?? error);
  }
}

function stateOf(metadata: ApiKeyMetadata, now: number): KeyState {
  if (metadata.revokedAt != null && Date.parse(metadata.revokedAt) <= now) return 'revoked';
  if (metadata.expiresAt != null && Date.parse(metadata.expiresAt) <= now) return 'expired';
  if (metadata.enabled === false) return (metadata.attributes as { hold?: 'pending' | 'suspended' } | undefined)?.hold ?? 'suspended';
  return 'active';
}

function viewOf(record: ApiKeyRecord, now: number): KeyView {
  const { metadata } = record;
  const rate = metadata.rateLimit;
  return {
    id: record.id,
    name: metadata.name ?? '',
    state: stateOf(metadata, now),
    scopes: metadata.scopes ?? [],
    expiresAt: metadata.expiresAt ?? null,
    revokedAt: metadata.revokedAt ?? null,
    revocationReason: metadata.revocationReason ?? null,
    lastUsedAt: metadata.lastUsedAt ?? null,
    createdAt: metadata.createdAt ?? null,
    ipWhitelist: metadata.ipAllowlist ?? [],
    ipBlacklist: metadata.ipDenylist ?? [],
    rateLimitMax: rate?.limit ?? null,
    rateLimitWindowMs: rate == null ? null : rate.windowSeconds * 1000,
  };
}

/** The fields the module's `create` writes for the same request (`toMetadata` in packages/nest). */
function metadataOf(key: NewKey): Partial<ApiKeyMetadata> {
  const metadata: Partial<ApiKeyMetadata> = { ownerId: NEST_OWNER, name: key.name, scopes: key.scopes, expiresAt: key.expiresAt ?? null, enabled: true, attributes: {} };
  if (key.ipWhitelist !== undefined) metadata.ipAllowlist = key.ipWhitelist;
  if (key.ipBlacklist !== undefined) metadata.ipDenylist = key.ipBlacklist;
  if (key.rateLimit !== undefined && !('algorithm' in key.rateLimit)) metadata.rateLimit = { algorithm: 'sliding_window', ...key.rateLimit };
  return metadata;
}

/** The names of the table's columns; none when there is no such table. */
async function columnsOf(db: Kysely<unknown>, table: string): Promise<string[]> {
  const [schema, name] = table.includes('.') ? table.split('.', 2) : [undefined, table];
  const inSchema = schema === undefined ? sql`current_schema()` : sql`${schema}`;
  const result = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_schema = ${inSchema} and table_name = ${name}`.execute(db);
  return result.rows.map((row) => row.column_name);
}

/**
 * The digest's column: `key_hash` in the kysely and drizzle adapters' tables, `keyHash` in the
 * prisma adapter's (`@@map("api_keys")` of the model in docs/keys.md). Same `id` and `metadata`.
 */
function keyHashColumn(columns: readonly string[], table: string, target: DatabaseTarget): string {
  const found = ['key_hash', 'keyHash'].find((name) => columns.includes(name));
  if (found === undefined || !columns.includes('id') || !columns.includes('metadata')) {
    throw new CliError(`the table "${table}" in ${target.shown} is not a keys table: it needs the columns id, key_hash (or keyHash) and metadata`);
  }
  return found;
}

/**
 * Local mode: straight to the database the module's Kysely adapter uses, through `@elyzor/keys`'
 * KyselyStore and the library's verbs (`create`, `list`, `revoke`, `rotate`). Nothing here
 * decides what a verb does; it only maps the seed's flags and prints the record.
 */
export async function openLocalKeys(target: DatabaseTarget, options: LocalOptions): Promise<NestKeys> {
  const { db, close } = await openDatabase(target, { create: options.create });
  let keyHash: string;
  try {
    let columns = await columnsOf(db, options.table);
    if (columns.length === 0) {
      if (!options.create) throw new CliError(`no table "${options.table}" in ${target.shown}: no keys yet (name another with --table)`);
      for (const statement of KyselyStore.schemaSql(options.table).split(';\n').filter((s) => s.trim() !== '')) await sql.raw(statement).execute(db);
      columns = await columnsOf(db, options.table);
    }
    keyHash = keyHashColumn(columns, options.table, target);
  } catch (error) {
    await close();
    throw error instanceof CliError ? error : databaseError(target, error);
  }
  const storage = new KyselyStore({ db, tableName: options.table, columns: { keyHash } });
  const keys: ApiKeyManager = createKeys({ storage, alphabet: HEX, length: options.secretLength, algorithm: 'sha256' });
  const call = async <T>(id: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw cliError(error, id, target);
    }
  };
  /** One of the module's keys: another owner's record is as unknown as a missing one. */
  const find = async (id: string): Promise<ApiKeyRecord> => {
    const record = await call(id, () => keys.findById(id));
    if (record === null || record.metadata.ownerId !== NEST_OWNER) throw new CliError(`no API key ${id}`);
    return record;
  };

  return {
    async create(key) {
      const { key: token, record } = await call('', () => keys.create(metadataOf(key)));
      return { ...viewOf(record, Date.now()), token };
    },
    async list({ all }) {
      const now = Date.now();
      const views = (await call('', () => keys.list(NEST_OWNER))).map((record) => viewOf(record, now));
      return views.filter((view) => all || view.state !== 'revoked').sort(byCreation);
    },
    async revoke(id, reason) {
      await find(id);
      await call(id, () => keys.revoke(id, undefined, reason === undefined ? {} : { reason }));
      return viewOf(await find(id), Date.now());
    },
    async rotate(id, request: RotateRequest) {
      await find(id);
      const gracePeriod = request.revokeOld ? request.graceSeconds : 0;
      const { key: token, record } = await call(id, () => keys.rotate(id, {}, undefined, { revokeOld: request.revokeOld, gracePeriod }));
      return { ...viewOf(record, Date.now()), token };
    },
    close,
  };
}
