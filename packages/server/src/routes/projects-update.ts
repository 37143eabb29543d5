import { validationError } from '@elyzor/core';
import { errors, Project, ProjectBody, ProjectParams } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerProjectsUpdate(app: App, { deps, services }: RouteContext): void {
  app.patch(
    '/v1/projects/:projectId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['projects'],
        summary: 'Rename a project (admins)',
        security: [{ bearer: [] }],
        params: ProjectParams,
        body: ProjectBody,
        response: { 200: Project, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (request.body.name.trim() === '') throw validationError('name must not be blank');
      return services.projects.rename(ctxOf(request), request.params.projectId, request.body.name);
    },
  );
}
