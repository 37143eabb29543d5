import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { CreateApiBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/apis.createApi: an Unkey API is an Elyzor project, in the root key's workspace. */
export function registerApisCreateApi(scope: App, { services }: RouteContext): void {
  scope.post('/v2/apis.createApi', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Create an API (a project)', body: CreateApiBody } }, async (request) => {
    const project = await services.projects.create(ctxOf(request), request.body.name);
    return envelope(request, { apiId: project.id });
  });
}
