import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import type { UpdateCredentialInput } from '../services/credentials.js';
import { CREDENTIAL_KINDS, idsOf } from './credential-kinds.js';

export function registerCredentialsUpdate(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, idParam, tag, updateBody, view } of CREDENTIAL_KINDS) {
    app.patch(
      `/v1/projects/:projectId/${segment}/:${idParam}`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: 'Change the label/name and policy; takes effect on the next verification',
          description: 'Only the fields sent change. Unknown fields are refused (400). `enabled: false` disables without revoking.',
          security: [{ bearer: [] }],
          params: Type.Object({ projectId: Type.String(), [idParam]: Type.String() }),
          body: updateBody,
          response: { 200: view, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { projectId, id } = idsOf(request.params, idParam);
        const updated = await services.credentials.update(actorOf(request), projectId, kind, id, request.body as UpdateCredentialInput);
        return (reply as FastifyReply).send(updated);
      },
    );
  }
}
