import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { actorOf, authenticate } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import { errors, ListQuery, ProjectParams } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';
import { CREDENTIAL_KINDS } from './credential-kinds.js';

export function registerCredentialsList(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, tag, view } of CREDENTIAL_KINDS) {
    app.get(
      `/v1/projects/:projectId/${segment}`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: `List the project's ${segment}, newest first (never the secret nor its digest)`,
          description: 'Filters: tag, ownerId, environment, status (active, disabled, expired, revoked). Pages: limit and cursor; the next page is in the Link header.',
          security: [{ bearer: [] }],
          params: ProjectParams,
          querystring: ListQuery,
          response: { 200: Type.Array(view), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const { limit, cursor, tag, ownerId, environment, status } = request.query;
        const page = await services.credentials.list(
          actorOf(request),
          request.params.projectId,
          kind,
          { tag, ownerId, environment, status },
          { limit: limit ?? DEFAULT_PAGE_SIZE, cursor },
        );
        return (reply as FastifyReply).send(sendPage(request, reply, page));
      },
    );
  }
}
