import { validationError } from '@elyzor/core';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors, Project } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';

export function registerProjectsCreate(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/projects',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['projects'],
        summary: "Create a project in a workspace (admins; default: the caller's personal workspace, a root key's own)",
        security: [{ bearer: [] }],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), workspaceId: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 201: Project, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (request.body.name.trim() === '') throw validationError('name must not be blank');
      return reply.code(201).send(await services.projects.create(ctxOf(request), request.body.name, request.body.workspaceId));
    },
  );
}
