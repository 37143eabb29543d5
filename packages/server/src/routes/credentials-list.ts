import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import { errors, ListQuery, ProjectParams } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';
import { KEYS, SERVICES } from './credential-kinds.js';

/** GET /v1/projects/:projectId/keys and GET /v1/projects/:projectId/services */
export function registerCredentialsList(app: App, { deps }: RouteContext): void {
  for (const [path, routes, noun] of [
    ['/v1/projects/:projectId/keys', KEYS, 'API keys'],
    ['/v1/projects/:projectId/services', SERVICES, 'services'],
  ] as const) {
    app.get(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: `List the project's ${noun}, newest first (never the secret nor its digest)`,
          description: 'Filters: tag, ownerId, environment, status (active, disabled, expired, revoked). Pages: limit and cursor; the next page is in the Link header.',
          security: [{ bearer: [] }],
          params: ProjectParams,
          querystring: ListQuery,
          response: { 200: Type.Array(routes.view), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { limit, cursor, tag, ownerId, environment, status } = request.query;
        const page = await deps.credentials.list({
          ctx: ctxOf(request),
          input: {
            projectId: request.params.projectId,
            kind: routes.kind,
            filters: { tag, ownerId, environment, status },
            page: { limit: limit ?? DEFAULT_PAGE_SIZE, cursor },
          },
        });
        return (reply as FastifyReply).send(sendPage(request, reply, page));
      },
    );
  }
}
