import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors, RevokeBody } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { CREDENTIAL_KINDS, idsOf } from './credential-kinds.js';

export function registerCredentialsRevoke(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, idParam, tag } of CREDENTIAL_KINDS) {
    app.delete(
      `/v1/projects/:projectId/${segment}/:${idParam}`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: 'Revoke (soft): it stays listed as revoked and fails verification from the next request on',
          description: 'An optional JSON body `{"reason": "…"}` is kept with the record.',
          security: [{ bearer: [] }],
          params: Type.Object({ projectId: Type.String(), [idParam]: Type.String() }),
          body: RevokeBody,
          response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { projectId, id } = idsOf(request.params, idParam);
        await services.credentials.revoke(actorOf(request), projectId, kind, id, request.body.reason);
        return reply.code(204).send(null);
      },
    );
  }
}
