import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { apikey } from '@elyzor/keys/drizzle/schema';
import { KyselyStore } from '@elyzor/keys/kysely';
import { MemoryStore } from '@elyzor/keys/memory';
import type { ApiKeyModuleOptions, IApiKeyAdapter } from '../src/index.js';
import { newPglite, pglitePool } from '../../keys/test/helpers/pglite.js';
import { PRISMA_LOG_TABLE_SQL, PRISMA_TABLE_SQL, prismaLikeClient } from '../../keys/test/helpers/prisma-like.js';

/** One local adapter on a real database: the module options that use it, and its teardown. */
export interface OpenAdapter {
  options: ApiKeyModuleOptions;
  close(): Promise<void>;
}

export interface AdapterCase {
  name: string;
  /** `database` is one PGlite shared by the SQL adapters of a file (each has its own table): a start costs seconds. */
  open(database: () => Promise<PGlite>): Promise<OpenAdapter>;
}

/** One PGlite, started on first use; `close` stops it if it was. */
export function sharedPglite(): { get: () => Promise<PGlite>; close: () => Promise<void> } {
  let started: Promise<PGlite> | undefined;
  return {
    get: () => (started ??= newPglite()),
    close: async () => {
      if (started !== undefined) await (await started).close();
    },
  };
}

async function exec(db: PGlite, statements: string): Promise<void> {
  for (const statement of statements.split(';').map((s) => s.trim()).filter((s) => s !== '')) await db.exec(statement);
}

/** The app's own storage: keypal's `Storage` interface, here over a Map (through MemoryStore), counting its calls. */
export class CountingAdapter implements IApiKeyAdapter {
  calls = 0;
  private readonly inner = new MemoryStore();
  save: IApiKeyAdapter['save'] = (r) => (this.calls++, this.inner.save(r));
  findByHash: IApiKeyAdapter['findByHash'] = (h) => (this.calls++, this.inner.findByHash(h));
  findById: IApiKeyAdapter['findById'] = (id) => (this.calls++, this.inner.findById(id));
  findByOwner: IApiKeyAdapter['findByOwner'] = (o) => (this.calls++, this.inner.findByOwner(o));
  findByTags: IApiKeyAdapter['findByTags'] = (t, o) => (this.calls++, this.inner.findByTags(t, o));
  findByTag: IApiKeyAdapter['findByTag'] = (t, o) => (this.calls++, this.inner.findByTag(t, o));
  updateMetadata: IApiKeyAdapter['updateMetadata'] = (id, m) => (this.calls++, this.inner.updateMetadata(id, m));
  delete: IApiKeyAdapter['delete'] = (id) => (this.calls++, this.inner.delete(id));
  deleteByOwner: IApiKeyAdapter['deleteByOwner'] = (o) => (this.calls++, this.inner.deleteByOwner(o));
}

/** Every local adapter: Kysely, Drizzle and Prisma's query interface on PGlite, a custom adapter, memory. */
export const adapterCases: AdapterCase[] = [
  {
    name: 'kysely (PGlite)',
    async open(database) {
      const pgl = await database();
      await exec(pgl, KyselyStore.schemaSql('kysely_api_keys'));
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: pglitePool(pgl) }) });
      return { options: { adapter: 'kysely', kysely: { db, tableName: 'kysely_api_keys' } }, close: () => Promise.resolve() };
    },
  },
  {
    name: 'drizzle (PGlite)',
    async open(database) {
      const pgl = await database();
      await exec(pgl, 'CREATE TABLE apikey (id TEXT PRIMARY KEY NOT NULL, key_hash TEXT NOT NULL UNIQUE, metadata JSONB NOT NULL)');
      return { options: { adapter: 'drizzle', drizzle: { db: drizzle(pgl, { schema: { apikey } }), table: apikey } }, close: () => Promise.resolve() };
    },
  },
  {
    name: 'prisma (query interface on PGlite)',
    async open(database) {
      const pgl = await database();
      await pgl.exec(PRISMA_TABLE_SQL);
      await pgl.exec(PRISMA_LOG_TABLE_SQL);
      return { options: { adapter: 'prisma', prismaClient: prismaLikeClient(pgl) }, close: () => Promise.resolve() };
    },
  },
  {
    name: 'custom',
    open: () => Promise.resolve({ options: { adapter: 'custom', customAdapter: new CountingAdapter() }, close: () => Promise.resolve() }),
  },
  { name: 'memory', open: () => Promise.resolve({ options: { adapter: 'memory' }, close: () => Promise.resolve() }) },
];
