import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import { errors, PageQuery, Project } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

export function registerProjectsList(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/projects',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['projects'],
        summary: "Every project the caller can see (a root key: those its permissions name), newest first",
        security: [{ bearer: [] }],
        querystring: PageQuery,
        response: { 200: Type.Array(Project), ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const page = await services.projects.list(ctxOf(request), { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor });
      return sendPage(request, reply, page);
    },
  );
}
