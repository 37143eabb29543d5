import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors, RotateBody } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { CREDENTIAL_KINDS, idsOf } from './credential-kinds.js';

export function registerCredentialsRotate(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, idParam, tag, issued } of CREDENTIAL_KINDS) {
    app.post(
      `/v1/projects/:projectId/${segment}/:${idParam}/rotate`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: 'Issue a replacement; the old credential is revoked at once, or after gracePeriodSeconds',
          security: [{ bearer: [] }],
          params: Type.Object({ projectId: Type.String(), [idParam]: Type.String() }),
          body: RotateBody,
          response: { 201: issued, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { projectId, id } = idsOf(request.params, idParam);
        const rotated = await services.credentials.rotate(actorOf(request), projectId, kind, id, request.body.gracePeriodSeconds ?? 0);
        // The schema differs per kind; the view is checked against it at serialization.
        return (reply as FastifyReply).code(201).send(rotated);
      },
    );
  }
}
