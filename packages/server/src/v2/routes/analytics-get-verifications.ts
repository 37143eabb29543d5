import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { AnalyticsQueryError, parseAnalyticsQuery, type AnalyticsPlan } from '../analytics-query.js';
import { runAnalytics } from '../analytics-run.js';
import { envelope } from '../envelope.js';
import { badRequest } from '../errors.js';
import { AnalyticsQueryBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/analytics.getVerifications: the common forms of Unkey's query (counts by outcome, by
 * key, by API and by time bucket) over Elyzor's usage counts; other queries are a 400 that says
 * what is supported. Needs `api.*.read_analytics` (or `api.<apiId>.read_analytics`: that API only).
 */
export function registerAnalyticsGetVerifications(scope: App, { deps }: RouteContext): void {
  scope.post('/v2/analytics.getVerifications', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Query verification counts', body: AnalyticsQueryBody } }, async (request) => {
    let plan: AnalyticsPlan;
    try {
      plan = parseAnalyticsQuery(request.body.query);
    } catch (error) {
      if (error instanceof AnalyticsQueryError) throw badRequest(`query: ${error.message}`, 'body.query');
      throw error;
    }
    return envelope(request, await runAnalytics(deps, ctxOf(request), plan));
  });
}
