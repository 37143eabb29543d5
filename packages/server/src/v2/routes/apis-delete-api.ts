import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { ApiIdBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/apis.deleteApi: the project goes with its keys, which fail from the next request on. */
export function registerApisDeleteApi(scope: App, { services }: RouteContext): void {
  scope.post('/v2/apis.deleteApi', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Delete an API and its keys', body: ApiIdBody } }, async (request) => {
    await services.projects.delete(ctxOf(request), request.body.apiId);
    return envelope(request, {});
  });
}
