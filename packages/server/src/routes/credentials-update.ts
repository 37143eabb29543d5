import type { UpdateCredentialInput } from '@elyzor/core';
import type { FastifyReply } from 'fastify';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { credentialParams, KEYS, refOf, SERVICES } from './credential-kinds.js';

/** PATCH /v1/projects/:projectId/keys/:keyId and PATCH /v1/projects/:projectId/services/:serviceId */
export function registerCredentialsUpdate(app: App, { deps }: RouteContext): void {
  for (const [path, routes] of [
    ['/v1/projects/:projectId/keys/:keyId', KEYS],
    ['/v1/projects/:projectId/services/:serviceId', SERVICES],
  ] as const) {
    app.patch(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: 'Change the label/name and policy; takes effect on the next verification',
          description: 'Only the fields sent change. Unknown fields are refused (400). `enabled: false` disables without revoking.',
          security: [{ bearer: [] }],
          params: credentialParams(routes),
          body: routes.updateBody,
          response: { 200: routes.view, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const changes = request.body as UpdateCredentialInput['changes'];
        const updated = await deps.credentials.update({ ctx: ctxOf(request), input: { ...refOf(request.params, routes), changes } });
        return (reply as FastifyReply).send(updated);
      },
    );
  }
}
