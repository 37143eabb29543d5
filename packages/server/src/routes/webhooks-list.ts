import { errors, PageQuery, ProjectParams, Webhook } from '@elyzor/contract';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

export function registerWebhooksList(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/projects/:projectId/webhooks',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: "The project's webhooks, newest first (never their secrets)",
        security: [{ bearer: [] }],
        params: ProjectParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Webhook), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const page = await services.webhooks.list(ctxOf(request), request.params.projectId, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor });
      return (reply as FastifyReply).send(sendPage(request, reply, page));
    },
  );
}
