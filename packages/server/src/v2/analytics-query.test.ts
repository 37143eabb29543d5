import { describe, expect, it } from 'vitest';
import { AnalyticsQueryError, parseAnalyticsQuery } from './analytics-query.js';

describe('parseAnalyticsQuery', () => {
  it('reads counts by outcome with a time filter', () => {
    expect(parseAnalyticsQuery("select outcome, count(*) as total from key_verifications_v1 where time >= now() - interval 7 day and outcome in ('VALID', 'RATE_LIMITED') group by outcome order by total desc limit 5;")).toEqual({
      table: 'key_verifications_v1',
      select: [
        { kind: 'dimension', column: 'outcome', alias: 'outcome' },
        { kind: 'count', outcome: null, sums: false, alias: 'total' },
      ],
      where: [
        { kind: 'time', op: '>=', at: { ago: 7 * 86_400_000 } },
        { kind: 'equals', column: 'outcome', values: ['VALID', 'RATE_LIMITED'] },
      ],
      groupBy: ['outcome'],
      orderBy: [{ alias: 'total', desc: true }],
      limit: 5,
    });
  });

  it('groups by a time bucket named by its expression or its alias', () => {
    const plan = parseAnalyticsQuery("SELECT toStartOfHour(time) AS hour, sumIf(count, outcome = 'VALID') AS valid FROM key_verifications_per_hour_v1 WHERE time < 1700000000000 GROUP BY toStartOfHour(time) ORDER BY hour");
    expect(plan.select[0]).toEqual({ kind: 'time', bucket: 'hour', alias: 'hour' });
    expect(plan.select[1]).toEqual({ kind: 'count', outcome: 'VALID', sums: true, alias: 'valid' });
    expect(plan.where).toEqual([{ kind: 'time', op: '<', at: { ms: 1_700_000_000_000 } }]);
    expect(plan.groupBy).toEqual(['hour']);
  });

  it.each([
    ['not a select', 'DELETE FROM key_verifications_v1'],
    ['an unknown table', 'SELECT count(*) FROM credentials'],
    ['a star', 'SELECT * FROM key_verifications_v1'],
    ['an ungrouped column', 'SELECT key_id, count(*) FROM key_verifications_v1'],
    ['no count', 'SELECT key_id FROM key_verifications_v1 GROUP BY key_id'],
    ['sum on the per-verification table', 'SELECT sum(count) FROM key_verifications_v1'],
    ['OR', "SELECT count(*) FROM key_verifications_v1 WHERE outcome = 'VALID' OR outcome = 'X'"],
    ['an unknown column', "SELECT count(*) FROM key_verifications_v1 WHERE region = 'eu'"],
    ['a second statement', 'SELECT count(*) FROM key_verifications_v1; DROP TABLE x'],
    ['a huge limit', 'SELECT count(*) FROM key_verifications_v1 LIMIT 1000000'],
    ['an unquoted value', 'SELECT count(*) FROM key_verifications_v1 WHERE key_id = key_id'],
  ])('refuses %s', (_name, query) => {
    expect(() => parseAnalyticsQuery(query)).toThrow(AnalyticsQueryError);
  });
});
