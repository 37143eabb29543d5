import type { PGlite } from '@electric-sql/pglite';
import type { PrismaApiKeyDelegate, PrismaAuditLogDelegate, PrismaLogWhere } from '../../src/storage/prisma.js';

/**
 * Prisma's query interface for keypal's `ApiKey` model (`@@map("api_keys")`, columns `id`,
 * `keyHash`, `metadata`), answered by a real PostgreSQL (PGlite) with the SQL Prisma's engine
 * would send for each argument shape. Stands in for a generated client, which needs the Prisma
 * engines (a download this machine cannot make); a failure Prisma would raise (unique
 * violation, unknown filter) is raised here too.
 */
type Where = Parameters<PrismaApiKeyDelegate['findMany']>[0]['where'];

function compile(where: Where, params: unknown[]): string {
  const p = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if ('OR' in where) return `(${where.OR.map((w) => compile(w, params)).join(' OR ') || 'false'})`;
  if ('AND' in where) return `(${where.AND.map((w) => compile(w, params)).join(' AND ') || 'true'})`;
  if ('metadata' in where) {
    const filter = where.metadata;
    // Prisma's filter on a whole Json field: jsonb equality (key order and spacing do not matter).
    if (!('path' in filter)) return `metadata = ${p(JSON.stringify(filter.equals))}::jsonb`;
    const path = `{${filter.path.join(',')}}`;
    if ('equals' in filter) return `(metadata #> ${p(path)}::text[]) = to_jsonb(${p(filter.equals)}::text)`;
    return `(metadata #> ${p(path)}::text[]) @> ${p(JSON.stringify(filter.array_contains))}::jsonb`;
  }
  if ('keyHash' in where) return `"keyHash" = ${p(where.keyHash)}`;
  if (typeof where.id === 'string') return `id = ${p(where.id)}`;
  if (typeof where.id === 'object' && where.id !== null && Array.isArray(where.id.in)) return `id = ANY(${p(where.id.in)}::text[])`;
  throw new Error(`unsupported where: ${JSON.stringify(where)}`);
}

export const PRISMA_TABLE_SQL = 'CREATE TABLE api_keys (id TEXT PRIMARY KEY, "keyHash" TEXT UNIQUE NOT NULL, metadata JSONB NOT NULL)';
/** The table of `model ApiKeyAuditLog` (`@@map("api_key_audit_logs")`). */
export const PRISMA_LOG_TABLE_SQL =
  'CREATE TABLE api_key_audit_logs (id TEXT PRIMARY KEY, action TEXT NOT NULL, "keyId" TEXT NOT NULL, "ownerId" TEXT NOT NULL, timestamp TEXT NOT NULL, data JSONB)';

function compileLog(where: PrismaLogWhere, params: unknown[]): string {
  const parts: string[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  for (const key of Object.keys(where)) if (!['keyId', 'ownerId', 'action', 'timestamp'].includes(key)) throw new Error(`unsupported where: ${key}`);
  if (where.keyId !== undefined) parts.push(`"keyId" = ${p(where.keyId)}`);
  if (where.ownerId !== undefined) parts.push(`"ownerId" = ${p(where.ownerId)}`);
  if (where.action !== undefined) parts.push(`action = ${p(where.action)}`);
  if (where.timestamp?.gte !== undefined) parts.push(`timestamp >= ${p(where.timestamp.gte)}`);
  if (where.timestamp?.lte !== undefined) parts.push(`timestamp <= ${p(where.timestamp.lte)}`);
  return parts.length === 0 ? 'true' : parts.join(' AND ');
}

/** Prisma's query interface for `model ApiKeyAuditLog`, answered by PGlite. */
function auditLogDelegate(db: PGlite): PrismaAuditLogDelegate {
  const columns = 'id, action, "keyId", "ownerId", timestamp, data';
  type LogRow = Awaited<ReturnType<PrismaAuditLogDelegate['findMany']>>[number];
  return {
    async create({ data }) {
      await db.query(`INSERT INTO api_key_audit_logs (${columns}) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
        data.id,
        data.action,
        data.keyId,
        data.ownerId,
        data.timestamp,
        data.data === undefined ? null : JSON.stringify(data.data),
      ]);
      return data;
    },
    async findMany({ where, orderBy, take, skip }) {
      const params: unknown[] = [];
      const order = orderBy === undefined ? '' : ' ORDER BY timestamp DESC';
      const page = `${take === undefined ? '' : ` LIMIT ${Number(take)}`}${skip === undefined ? '' : ` OFFSET ${Number(skip)}`}`;
      return (await db.query<LogRow>(`SELECT ${columns} FROM api_key_audit_logs WHERE ${compileLog(where, params)}${order}${page}`, params)).rows;
    },
    async count({ where }) {
      const params: unknown[] = [];
      const rows = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_key_audit_logs WHERE ${compileLog(where, params)}`, params)).rows;
      return rows[0]?.n ?? 0;
    },
    async deleteMany({ where }) {
      const params: unknown[] = [];
      const result = await db.query(`DELETE FROM api_key_audit_logs WHERE ${compileLog(where, params)}`, params);
      return { count: result.affectedRows ?? 0 };
    },
  };
}

/** Prisma's client for keypal's models: `apiKey`, and `apiKeyAuditLog` (its table must exist when used). */
export function prismaLikeClient(db: PGlite): { apiKey: PrismaApiKeyDelegate; apiKeyAuditLog: PrismaAuditLogDelegate } {
  type Row = { id: string; keyHash: string; metadata: unknown };
  const apiKey: PrismaApiKeyDelegate = {
    async create({ data }) {
      await db.query('INSERT INTO api_keys (id, "keyHash", metadata) VALUES ($1, $2, $3::jsonb)', [data.id, data.keyHash, JSON.stringify(data.metadata)]);
      return data;
    },
    async findUnique({ where }) {
      const params: unknown[] = [];
      const rows = (await db.query<Row>(`SELECT id, "keyHash", metadata FROM api_keys WHERE ${compile(where, params)} LIMIT 1`, params)).rows;
      return rows[0] ?? null;
    },
    async findMany({ where }) {
      const params: unknown[] = [];
      return (await db.query<Row>(`SELECT id, "keyHash", metadata FROM api_keys WHERE ${compile(where, params)}`, params)).rows;
    },
    async updateMany({ where, data }) {
      const params: unknown[] = [JSON.stringify(data.metadata)];
      const result = await db.query(`UPDATE api_keys SET metadata = $1::jsonb WHERE ${compile(where, params)}`, params);
      return { count: result.affectedRows ?? 0 };
    },
    async deleteMany({ where }) {
      const params: unknown[] = [];
      const result = await db.query(`DELETE FROM api_keys WHERE ${compile(where, params)}`, params);
      return { count: result.affectedRows ?? 0 };
    },
  };
  return { apiKey, apiKeyAuditLog: auditLogDelegate(db) };
}
