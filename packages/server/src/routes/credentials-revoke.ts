import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { CREDENTIAL_KINDS } from './credential-kinds.js';

export function registerCredentialsRevoke(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, idParam, tag } of CREDENTIAL_KINDS) {
    app.delete(
      `/v1/projects/:projectId/${segment}/:${idParam}`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: 'Revoke (soft): it stays listed as revoked and fails verification from the next request on',
          security: [{ bearer: [] }],
          params: Type.Object({ projectId: Type.String(), [idParam]: Type.String() }),
          response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const params = request.params as Record<string, string>;
        await services.credentials.revoke(actorOf(request), params.projectId ?? '', kind, params[idParam] ?? '');
        return reply.code(204).send(null);
      },
    );
  }
}
