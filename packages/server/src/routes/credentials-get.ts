import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { CREDENTIAL_KINDS, idsOf } from './credential-kinds.js';

export function registerCredentialsGet(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, idParam, tag, withUsage } of CREDENTIAL_KINDS) {
    app.get(
      `/v1/projects/:projectId/${segment}/:${idParam}`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: 'One credential with its policy and usage (total, last 24 hours, error rate)',
          security: [{ bearer: [] }],
          params: Type.Object({ projectId: Type.String(), [idParam]: Type.String() }),
          response: { 200: withUsage, ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const { projectId, id } = idsOf(request.params, idParam);
        return (reply as FastifyReply).send(await services.credentials.get(actorOf(request), projectId, kind, id));
      },
    );
  }
}
