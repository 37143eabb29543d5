import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { notFoundV2 } from '../errors.js';
import { ApiIdBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/apis.getApi */
export function registerApisGetApi(scope: App, { services }: RouteContext): void {
  scope.post('/v2/apis.getApi', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Get an API', body: ApiIdBody } }, async (request) => {
    const project = await services.projects.require(ctxOf(request), request.body.apiId, 'read_key').catch((error: unknown) => {
      throw (error as { code?: string }).code === 'not_found' ? notFoundV2('api', 'The API does not exist') : error;
    });
    return envelope(request, { id: project.id, name: project.name });
  });
}
