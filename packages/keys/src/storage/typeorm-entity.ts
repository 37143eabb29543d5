import { EntitySchema } from 'typeorm';

/**
 * One row of nest-api-key-auth's keys table, column for column (its README, "Database schema"),
 * so that a team moving from nest-api-key-auth keeps its table and its keys.
 */
export interface ApiKeyRow {
  id: string;
  name: string;
  /** The key's first 8 characters: how a bcrypt or argon2 digest is found. */
  keyPrefix: string;
  /** The key's digest: SHA-256 hex, or a bcrypt / argon2 string. */
  hashedKey: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  ipWhitelist: string[] | null;
  ipBlacklist: string[] | null;
  rateLimitMax: number | null;
  rateLimitWindowMs: number | null;
  revocationReason: string | null;
  quotaMax: number | null;
  quotaPeriod: 'daily' | 'monthly' | 'yearly' | null;
  quotaUsed: number;
  quotaResetAt: Date | null;
  /** The app's own metadata; Elyzor keeps its few extra fields under the `$elyzor` property. */
  metadata: Record<string, unknown> | null;
  tags: string[] | null;
  owner: string | null;
  environment: string | null;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApiKeyEntityOptions {
  /** The entity's name (what `getRepositoryToken` and `TypeOrmModule.forFeature` go by); default `ApiKeyEntity`. */
  name?: string;
  /** The table; default `api_keys`, as in nest-api-key-auth's TypeORM example. */
  tableName?: string;
}

/**
 * nest-api-key-auth's keys table as a TypeORM entity, without decorators (an `EntitySchema`,
 * usable in any `DataSource` or `TypeOrmModule.forFeature`). Column types are TypeORM's portable
 * ones (`simple-array`, `simple-json`, dates), as in nest-api-key-auth's own entity, so that it
 * works on every database TypeORM supports.
 */
export function createApiKeyEntity(options: ApiKeyEntityOptions = {}): EntitySchema<ApiKeyRow> {
  const tableName = options.tableName ?? 'api_keys';
  return new EntitySchema<ApiKeyRow>({
    name: options.name ?? 'ApiKeyEntity',
    tableName,
    columns: {
      // Any string: nest-api-key-auth's are uuids, and so are the ones this store makes.
      id: { type: 'varchar', length: 64, primary: true },
      name: { type: 'varchar' },
      keyPrefix: { type: 'varchar', length: 16 },
      hashedKey: { type: 'varchar', unique: true },
      scopes: { type: 'simple-array' },
      expiresAt: { type: Date, nullable: true },
      revokedAt: { type: Date, nullable: true },
      lastUsedAt: { type: Date, nullable: true },
      ipWhitelist: { type: 'simple-array', nullable: true },
      ipBlacklist: { type: 'simple-array', nullable: true },
      rateLimitMax: { type: 'int', nullable: true },
      rateLimitWindowMs: { type: 'int', nullable: true },
      revocationReason: { type: 'varchar', nullable: true },
      quotaMax: { type: 'int', nullable: true },
      quotaPeriod: { type: 'varchar', length: 16, nullable: true },
      quotaUsed: { type: 'int', default: 0 },
      quotaResetAt: { type: Date, nullable: true },
      metadata: { type: 'simple-json', nullable: true },
      tags: { type: 'simple-array', nullable: true },
      owner: { type: 'varchar', nullable: true },
      environment: { type: 'varchar', length: 32, nullable: true },
      description: { type: 'varchar', nullable: true },
      createdAt: { type: Date },
      updatedAt: { type: Date },
    },
    indices: [{ name: `${tableName}_key_prefix_idx`, columns: ['keyPrefix'] }],
  });
}

/** The entity of the table `api_keys`: `TypeOrmModule.forFeature([ApiKeyEntity])`, `getRepositoryToken(ApiKeyEntity)`. */
export const ApiKeyEntity: EntitySchema<ApiKeyRow> = createApiKeyEntity();
