import { allowsUnkeyAction, type Ctx } from '@elyzor/core';
import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../deps.js';
import { V2Error } from './errors.js';
import { TABLES, type AnalyticsPlan, type Condition, type SelectItem } from './analytics-query.js';
import { CODE } from './routes/keys-verify-key.js';

/** The engine's outcomes as Unkey's codes, in SQL (the one map, `CODE`, of the verify route). */
const OUTCOME_CODE = sql`(case outcome ${sql.join(Object.entries(CODE).map(([outcome, code]) => sql`when ${outcome} then ${code}`), sql` `)} else 'NOT_FOUND' end)`;

/** Each table's rows: Elyzor's usage counts of that unit (months from the daily roll-up). */
function source(plan: AnalyticsPlan, projectIds: string[]): RawBuilder<unknown> {
  const unit = TABLES[plan.table];
  const ids = sql`any(${projectIds}::uuid[])`;
  if (unit === 'minute') return sql`(select project_id, credential_id, outcome, minute as at, count::bigint as count from usage_counts where project_id = ${ids})`;
  if (unit === 'hour') return sql`(select project_id, credential_id, outcome, hour as at, count from usage_hourly where project_id = ${ids})`;
  if (unit === 'day') return sql`(select project_id, credential_id, outcome, day as at, count from usage_daily where project_id = ${ids})`;
  return sql`(select project_id, credential_id, outcome, date_trunc('month', day at time zone 'UTC') at time zone 'UTC' as at, sum(count) as count from usage_daily where project_id = ${ids} group by 1, 2, 3, 4)`;
}

const COLUMN = { outcome: OUTCOME_CODE, key_id: sql`credential_id::text`, key_space_id: sql`project_id::text` } as const;

function expression(item: SelectItem, perVerification: boolean): RawBuilder<unknown> {
  if (item.kind === 'dimension') return COLUMN[item.column];
  if (item.kind === 'time') {
    const at = item.bucket === null ? sql`at` : sql`(date_trunc(${item.bucket}, at at time zone 'UTC') at time zone 'UTC')`;
    return sql`(extract(epoch from ${at}) * 1000)::bigint`;
  }
  // On the per-verification table a count is of verifications (the rows' counts summed); on the others, of rows.
  const filter = item.outcome === null ? sql`` : sql` filter (where ${OUTCOME_CODE} = ${item.outcome})`;
  return perVerification || item.sums ? sql`coalesce(sum(count)${filter}, 0)::bigint` : sql`count(*)${filter}::bigint`;
}

function condition(cond: Condition, now: number): RawBuilder<unknown> {
  if (cond.kind === 'equals') return sql`${COLUMN[cond.column]} = any(${cond.values}::text[])`;
  const at = new Date('ago' in cond.at ? now - cond.at.ago : cond.at.ms);
  return sql`at ${sql.raw(cond.op)} ${at}`;
}

/** The projects of the workspace whose analytics the root key may read (`api.*.read_analytics` or `api.<apiId>.read_analytics`); 403 when none. */
async function readableProjects(deps: Deps, ctx: Ctx): Promise<string[]> {
  if (ctx.actor.type !== 'root_key') throw new V2Error(403, 'authorization/insufficient_permissions', 'The root key lacks the permission api.*.read_analytics');
  const { permissions, workspaceId } = ctx.actor;
  const rows = await deps.db.selectFrom('projects').select('id').where('workspace_id', '=', workspaceId).execute();
  const readable = rows.map((r) => r.id).filter((id) => allowsUnkeyAction(permissions, id, 'read_analytics'));
  if (readable.length === 0 && !permissions.includes('api.*.read_analytics')) throw new V2Error(403, 'authorization/insufficient_permissions', 'The root key lacks the permission api.*.read_analytics (or api.<apiId>.read_analytics)');
  return readable;
}

/**
 * Runs a parsed query over the usage counts of the projects the root key may read. Only the
 * plan's known columns and operators reach the SQL text; every value is a parameter.
 */
export async function runAnalytics(deps: Deps, ctx: Ctx, plan: AnalyticsPlan): Promise<Array<Record<string, unknown>>> {
  const projectIds = await readableProjects(deps, ctx);
  const perVerification = plan.table === 'key_verifications_v1';
  const now = deps.clock.now();
  const columns = plan.select.map((item, i) => sql`${expression(item, perVerification)} as ${sql.id(`c${i}`)}`);
  const position = (alias: string): number => plan.select.findIndex((item) => item.alias === alias);
  const where = plan.where.length === 0 ? sql`` : sql`where ${sql.join(plan.where.map((cond) => condition(cond, now)), sql` and `)}`;
  const groupBy = plan.groupBy.length === 0 ? sql`` : sql`group by ${sql.join(plan.groupBy.map((alias) => sql.id(`c${position(alias)}`)))}`;
  const orderBy = plan.orderBy.length === 0 ? sql`` : sql`order by ${sql.join(plan.orderBy.map((o) => sql`${sql.id(`c${position(o.alias)}`)} ${sql.raw(o.desc ? 'desc' : 'asc')}`))}`;
  const limit = sql`limit ${plan.limit ?? 10_000}`;
  const result = await sql<Record<string, unknown>>`select ${sql.join(columns)} from ${source(plan, projectIds)} as u ${where} ${groupBy} ${orderBy} ${limit}`.execute(deps.db);
  return result.rows.map((row) =>
    Object.fromEntries(plan.select.map((item, i) => {
      const value = row[`c${i}`];
      return [item.alias, item.kind === 'dimension' ? value : Number(value)];
    })),
  );
}
