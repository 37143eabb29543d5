import type { FastifyReply } from 'fastify';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { credentialParams, KEYS, refOf, SERVICES } from './credential-kinds.js';

/** GET /v1/projects/:projectId/keys/:keyId and GET /v1/projects/:projectId/services/:serviceId */
export function registerCredentialsGet(app: App, { deps, services }: RouteContext): void {
  for (const [path, routes] of [
    ['/v1/projects/:projectId/keys/:keyId', KEYS],
    ['/v1/projects/:projectId/services/:serviceId', SERVICES],
  ] as const) {
    app.get(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: 'One credential with its policy and usage (total, last 24 hours, error rate)',
          security: [{ bearer: [] }],
          params: credentialParams(routes),
          response: { 200: routes.withUsage, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => (reply as FastifyReply).send(await services.usage.getWithUsage(ctxOf(request), refOf(request.params, routes))),
    );
  }
}
