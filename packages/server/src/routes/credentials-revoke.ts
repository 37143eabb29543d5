import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors, RevokeBody } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { credentialParams, KEYS, refOf, SERVICES } from './credential-kinds.js';

/** DELETE /v1/projects/:projectId/keys/:keyId and DELETE /v1/projects/:projectId/services/:serviceId */
export function registerCredentialsRevoke(app: App, { deps }: RouteContext): void {
  for (const [path, routes] of [
    ['/v1/projects/:projectId/keys/:keyId', KEYS],
    ['/v1/projects/:projectId/services/:serviceId', SERVICES],
  ] as const) {
    app.delete(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: 'Revoke (soft): it stays listed as revoked and fails verification from the next request on',
          description: 'An optional JSON body `{"reason": "…"}` is kept with the record.',
          security: [{ bearer: [] }],
          params: credentialParams(routes),
          body: RevokeBody,
          response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deps.credentials.revoke({ ctx: ctxOf(request), input: { ...refOf(request.params, routes), reason: request.body.reason } });
        return reply.code(204).send(null);
      },
    );
  }
}
