import { errors, Member, MemberBody, MemberParams, PageQuery, WorkspaceParams } from '@elyzor/contract';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

/** GET /v1/workspaces/:workspaceId/members, PATCH|DELETE /v1/workspaces/:workspaceId/members/:userId */
export function registerWorkspaceMembers(app: App, { deps, services }: RouteContext): void {
  const security = [{ bearer: [] }];
  app.get(
    '/v1/workspaces/:workspaceId/members',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['members'], summary: 'Members of the workspace and their roles', security, params: WorkspaceParams, querystring: PageQuery, response: { 200: Type.Array(Member), ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) =>
      sendPage(request, reply, await services.workspaces.members(ctxOf(request), request.params.workspaceId, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor })),
  );

  app.patch(
    '/v1/workspaces/:workspaceId/members/:userId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['members'],
        summary: "Change a member's role (admins; making or unmaking an owner: owners; the last owner stays)",
        security,
        params: MemberParams,
        body: MemberBody,
        response: { 200: Member, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => services.workspaces.setRole(ctxOf(request), request.params.workspaceId, request.params.userId, request.body.role),
  );

  app.delete(
    '/v1/workspaces/:workspaceId/members/:userId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['members'],
        summary: 'Remove a member (admins), or leave (anyone; not the last owner)',
        security,
        params: MemberParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await services.workspaces.removeMember(ctxOf(request), request.params.workspaceId, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}
