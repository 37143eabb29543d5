import type { FastifyReply } from 'fastify';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors, RotateBody } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { credentialParams, KEYS, refOf, SERVICES } from './credential-kinds.js';

/** POST /v1/projects/:projectId/keys/:keyId/rotate and POST /v1/projects/:projectId/services/:serviceId/rotate */
export function registerCredentialsRotate(app: App, { deps }: RouteContext): void {
  for (const [path, routes] of [
    ['/v1/projects/:projectId/keys/:keyId/rotate', KEYS],
    ['/v1/projects/:projectId/services/:serviceId/rotate', SERVICES],
  ] as const) {
    app.post(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: 'Issue a replacement; the old credential is revoked at once, or after gracePeriodSeconds',
          security: [{ bearer: [] }],
          params: credentialParams(routes),
          body: RotateBody,
          response: { 201: routes.issued, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const input = { ...refOf(request.params, routes), gracePeriodSeconds: request.body.gracePeriodSeconds ?? 0 };
        const rotated = await deps.credentials.rotate({ ctx: ctxOf(request), input });
        // The schema differs per kind; the view is checked against it at serialization.
        return (reply as FastifyReply).code(201).send(rotated);
      },
    );
  }
}
