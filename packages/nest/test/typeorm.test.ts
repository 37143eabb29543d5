import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { DataSource, type DataSourceOptions, type Repository } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyEntity, createApiKeyEntity, type ApiKeyRow } from '../src/typeorm.js';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, Scopes, type ApiKeyModuleOptions } from '../src/index.js';
import { openDataSource, pgliteDataSource } from '../../keys/test/helpers/typeorm.js';
import { call, startNest, type RunningNest } from './helpers.js';

/**
 * `adapter: 'typeorm'` in a real Nest app over HTTP: nest-api-key-auth's TypeORM example as its
 * README writes it, a Repository given as it is, and a table that nest-api-key-auth filled with
 * bcrypt and argon2 digests. On PGlite (served on a port, since TypeORM's driver speaks the wire
 * protocol), and on PostgreSQL too when TEST_DATABASE_URL is set.
 */
@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  @Scopes('read:projects')
  list(): unknown {
    return { ok: true };
  }
}

interface Database {
  name: string;
  /** Connection options for TypeORM, and a DataSource on them with ApiKeyEntity's table. */
  open(): Promise<{ connection: DataSourceOptions; dataSource: DataSource; close(): Promise<void> }>;
}

const databases: Database[] = [
  {
    name: 'PGlite',
    async open() {
      const { dataSource, close } = await pgliteDataSource();
      return { connection: dataSource.options, dataSource, close };
    },
  },
];
const databaseUrl = process.env.TEST_DATABASE_URL;
if (databaseUrl !== undefined) {
  databases.push({
    name: 'PostgreSQL',
    async open() {
      const schema = `nest_${randomUUID().slice(0, 8)}`;
      const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      const connection = { type: 'postgres', url: databaseUrl, schema } as DataSourceOptions;
      const dataSource = await openDataSource(connection);
      return {
        connection,
        dataSource,
        async close() {
          await dataSource.destroy();
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        },
      };
    },
  });
}

const auth = (nest: RunningNest, token: string) => call(`${nest.baseUrl}/projects`, { headers: { 'x-api-key': token } });

describe.each(databases)('adapter typeorm ($name)', (database) => {
  let db: Awaited<ReturnType<Database['open']>>;
  let repository: Repository<ApiKeyRow>;

  beforeAll(async () => {
    db = await database.open();
    repository = db.dataSource.getRepository(ApiKeyEntity);
  });
  afterAll(async () => {
    await db.close();
  });

  it("runs nest-api-key-auth's TypeORM example: TypeOrmModule.forFeature and getRepositoryToken(ApiKeyEntity)", async () => {
    // The seed's example, with only the package names changed (and the app's connection).
    @Module({
      imports: [
        TypeOrmModule.forRoot({ ...db.connection, entities: [ApiKeyEntity] } as DataSourceOptions),
        TypeOrmModule.forFeature([ApiKeyEntity]),
        ApiKeyModule.register({
          adapter: 'typeorm',
          typeOrmRepository: getRepositoryToken(ApiKeyEntity),
        }),
      ],
      controllers: [ProjectController],
    })
    class AppModule {}

    const nest = await startNest([AppModule]);
    try {
      const service = nest.get(ApiKeyService);
      const { token, id } = await service.create({ name: 'from-the-seed', scopes: ['read:projects'], owner: 'user-1', environment: 'production', metadata: { plan: 'pro' }, tags: ['Billing'] });
      expect((await auth(nest, token)).status).toBe(200);
      expect((await call(`${nest.baseUrl}/projects`)).status).toBe(401);
      expect((await auth(nest, 'f'.repeat(64))).body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });

      // The row is nest-api-key-auth's, column for column, with the SHA-256 digest (never the key).
      const row = await repository.findOneByOrFail({ id });
      expect(row).toMatchObject({ name: 'from-the-seed', scopes: ['read:projects'], owner: 'user-1', environment: 'production', tags: ['billing'], revokedAt: null });
      expect(row.hashedKey).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(token);
      expect(row.metadata).toMatchObject({ plan: 'pro' });
      expect(await service.findById(id)).toMatchObject({ owner: 'user-1', environment: 'production', metadata: { plan: 'pro' }, tags: ['billing'], state: 'active' });

      const rotated = await service.rotate(id, { revokeOldKey: true });
      expect((await auth(nest, rotated.token)).status).toBe(200);
      expect((await auth(nest, token)).body).toMatchObject({ statusCode: 401, code: 'key_revoked' });
      await service.revoke(rotated.id, { reason: 'leaked' });
      expect((await auth(nest, rotated.token)).body).toMatchObject({ code: 'key_revoked' });
      expect(await repository.findOneByOrFail({ id: rotated.id })).toMatchObject({ revocationReason: 'leaked' });
      expect((await service.findAll()).map((k) => k.id)).toEqual(expect.arrayContaining([id, rotated.id]));
      await expect(service.findById('no-such-key')).rejects.toMatchObject({ status: 404 });
    } finally {
      await nest.close();
    }
  });

  it('takes a Repository instance as well, and counts a yearly quota', async () => {
    const nest = await startNest([ApiKeyModule.register({ adapter: 'typeorm', typeOrmRepository: repository })], [ProjectController]);
    try {
      const service = nest.get(ApiKeyService);
      const { token, id } = await service.create({ name: 'yearly', scopes: ['read:projects'], quotaMax: 2, quotaPeriod: 'yearly' });
      expect(await repository.findOneByOrFail({ id })).toMatchObject({ quotaMax: 2, quotaPeriod: 'yearly' });
      expect((await service.findById(id)).quotaPeriod).toBe('yearly');
      expect((await auth(nest, token)).status).toBe(200);
      expect((await auth(nest, token)).status).toBe(200);
      const refused = await auth(nest, token);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'quota_exceeded' });
      // The rest of the UTC calendar year.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await nest.close();
    }
  });

  describe('a table that nest-api-key-auth filled (bcrypt and argon2 digests)', () => {
    const bcryptKey = '4f1c9a0be27d4b6e8c3a51f09d7e2b6ac1e4f7a90b3d5c8e2f6a1b4d7c0e9f3a';
    const argonKey = '9c2e7b1a4d6f8e0c3b5a7d9f1e2c4b6a8d0f2e4c6b8a1d3f5e7c9b2a4d6f8e0c';
    const legacyTable = 'legacy_api_keys';
    let legacy: Repository<ApiKeyRow>;

    /** nest-api-key-auth's table, as its entity makes it: uuid ids, and a row per key, inserted by hand. */
    beforeAll(async () => {
      const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
      const schema = (db.connection as { schema?: string }).schema;
      const table = schema === undefined ? legacyTable : `"${schema}".${legacyTable}`;
      await q(
        `CREATE TABLE ${table} (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name varchar NOT NULL, "keyPrefix" varchar NOT NULL, "hashedKey" varchar NOT NULL,
          scopes text NOT NULL, "expiresAt" timestamp, "revokedAt" timestamp, "lastUsedAt" timestamp, "ipWhitelist" text, "ipBlacklist" text,
          "rateLimitMax" integer, "rateLimitWindowMs" integer, "revocationReason" varchar, "quotaMax" integer, "quotaPeriod" varchar,
          "quotaUsed" integer NOT NULL DEFAULT 0, "quotaResetAt" timestamp, metadata text, tags text, owner varchar, environment varchar,
          description varchar, "createdAt" timestamp NOT NULL DEFAULT now(), "updatedAt" timestamp NOT NULL DEFAULT now())`,
      );
      const insert = (name: string, key: string, digest: string, extra = '', values: unknown[] = []) =>
        q(`INSERT INTO ${table} (name, "keyPrefix", "hashedKey", scopes, owner, metadata${extra}) VALUES ($1, $2, $3, 'read:projects,write:projects', 'user-7', '{"plan":"pro"}'${values.map((_, i) => `, $${i + 4}`).join('')})`, [
          name,
          key.slice(0, 8),
          digest,
          ...values,
        ]);
      await insert('bcrypt-key', bcryptKey, await bcrypt.hash(bcryptKey, 10));
      // The `argon2` package's defaults, which nest-api-key-auth uses: argon2id, 64 MiB, 3 passes, 4 lanes.
      await insert('argon2-key', argonKey, await argon2Hash(argonKey, { memoryCost: 65_536, timeCost: 3, parallelism: 4 }));
      await insert('revoked-key', `${bcryptKey.slice(0, 60)}0000`, await bcrypt.hash(`${bcryptKey.slice(0, 60)}0000`, 4), ', "revokedAt", "revocationReason"', [new Date(Date.now() - 60_000), 'rotated out']);
      await insert('expired-key', `a${bcryptKey.slice(1)}`, await bcrypt.hash(`a${bcryptKey.slice(1)}`, 4), ', "expiresAt"', [new Date(Date.now() - 60_000)]);
      // The team keeps its table: the entity names it, and TypeORM changes nothing (no synchronize).
      const entity = createApiKeyEntity({ name: 'LegacyApiKey', tableName: legacyTable });
      const source = new DataSource({ ...db.connection, entities: [entity], synchronize: false } as DataSourceOptions);
      await source.initialize();
      legacy = source.getRepository(entity);
      cleanup.push(() => source.destroy());
    });
    const cleanup: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const run of cleanup) await run();
    });

    const module = (options: Partial<ApiKeyModuleOptions>) => startNest([ApiKeyModule.register({ adapter: 'typeorm', typeOrmRepository: legacy, ...options })], [ProjectController]);

    it("hashAlgorithm 'bcrypt': its keys verify through the guard, found by keyPrefix; wrong keys are 401", async () => {
      const nest = await module({ hashAlgorithm: 'bcrypt', bcryptRounds: 4 });
      try {
        const ok = await auth(nest, bcryptKey);
        expect(ok.status).toBe(200);
        expect((await auth(nest, `${bcryptKey.slice(0, 63)}b`)).body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });
        expect((await auth(nest, `${bcryptKey.slice(0, 8)}${'0'.repeat(56)}`)).status).toBe(401);
        // An argon2 digest is not a bcrypt one: that key is unknown to a bcrypt module.
        expect((await auth(nest, argonKey)).body).toMatchObject({ code: 'invalid_api_key' });
        expect((await auth(nest, `${bcryptKey.slice(0, 60)}0000`)).body).toMatchObject({ code: 'key_revoked' });
        expect((await auth(nest, `a${bcryptKey.slice(1)}`)).body).toMatchObject({ code: 'key_expired' });

        const service = nest.get(ApiKeyService);
        const all = await service.findAll();
        expect(all.find((k) => k.name === 'bcrypt-key')).toMatchObject({ owner: 'user-7', metadata: { plan: 'pro' }, scopes: ['read:projects', 'write:projects'], state: 'active' });
        expect(all.find((k) => k.name === 'revoked-key')).toMatchObject({ state: 'revoked', revocationReason: 'rotated out' });

        // New keys: hashed with bcrypt too, stored with their prefix and a uuid id, as nest-api-key-auth does.
        const created = await service.create({ name: 'new-bcrypt', scopes: ['read:projects'] });
        const row = await legacy.findOneByOrFail({ id: created.id });
        expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(row.hashedKey).toMatch(/^\$2[aby]\$04\$/);
        expect(row.keyPrefix).toBe(created.token.slice(0, 8));
        expect((await auth(nest, created.token)).status).toBe(200);
        // A lookup by an id that is no uuid names no key (the column would refuse to compare it).
        await expect(service.findById('not-a-uuid')).rejects.toMatchObject({ status: 404 });
      } finally {
        await nest.close();
      }
    });

    it("hashAlgorithm 'argon2': its keys verify through the guard; wrong keys are 401, missing scopes 403", async () => {
      @Controller('admin')
      class AdminController {
        @Get()
        @ApiKeyAuth()
        @Scopes('admin:*')
        admin(): unknown {
          return {};
        }
      }
      const nest = await startNest([ApiKeyModule.register({ adapter: 'typeorm', typeOrmRepository: legacy, hashAlgorithm: 'argon2' })], [ProjectController, AdminController]);
      try {
        expect((await auth(nest, argonKey)).status).toBe(200);
        expect((await call(`${nest.baseUrl}/admin`, { headers: { 'x-api-key': argonKey } })).body).toMatchObject({ statusCode: 403, code: 'insufficient_scope' });
        expect((await auth(nest, `${argonKey.slice(0, 63)}d`)).body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });
        expect((await auth(nest, bcryptKey)).status).toBe(401);
        const created = await nest.get(ApiKeyService).create({ name: 'new-argon2', scopes: ['read:projects'] });
        expect((await legacy.findOneByOrFail({ id: created.id })).hashedKey).toMatch(/^\$argon2id\$/);
        expect((await auth(nest, created.token)).status).toBe(200);
      } finally {
        await nest.close();
      }
    });
  });
});
