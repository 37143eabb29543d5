import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors, ProjectParams } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';

export function registerProjectsDelete(app: App, { deps, services }: RouteContext): void {
  app.delete(
    '/v1/projects/:projectId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['projects'],
        summary: 'Delete a project with its keys, services and usage records (one transaction)',
        security: [{ bearer: [] }],
        params: ProjectParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.projects.delete(ctxOf(request), request.params.projectId);
      return reply.code(204).send(null);
    },
  );
}
