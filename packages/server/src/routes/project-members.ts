import { errors, ProjectMember, ProjectMemberBody, ProjectMemberParams, ProjectParams } from '@elyzor/contract';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

/** GET /v1/projects/:projectId/members, PUT|DELETE /v1/projects/:projectId/members/:userId */
export function registerProjectMembers(app: App, { deps, services }: RouteContext): void {
  const security = [{ bearer: [] }];
  app.get(
    '/v1/projects/:projectId/members',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['members'],
        summary: 'The per-project roles of a project, by email (admins); the other members have their workspace role there',
        security,
        params: ProjectParams,
        response: { 200: Type.Array(ProjectMember), ...errors(401, 403, 404) },
      },
    },
    async (request) => services.workspaces.listProjectRoles(ctxOf(request), request.params.projectId),
  );

  app.put(
    '/v1/projects/:projectId/members/:userId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['members'],
        summary: 'Give a workspace member a narrower role in this project (admins)',
        description: 'The effective role is the narrower of the workspace role and this one: a per-project role never widens.',
        security,
        params: ProjectMemberParams,
        body: ProjectMemberBody,
        response: { 200: ProjectMember, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => services.workspaces.setProjectRole(ctxOf(request), request.params.projectId, request.params.userId, request.body.role),
  );

  app.delete(
    '/v1/projects/:projectId/members/:userId',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['members'], summary: "Remove a member's per-project role: the workspace role applies again (admins)", security, params: ProjectMemberParams, response: { 204: { type: 'null' }, ...errors(401, 403, 404) } },
    },
    async (request, reply) => {
      await services.workspaces.removeProjectRole(ctxOf(request), request.params.projectId, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}
