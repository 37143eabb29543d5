import { AuditEvent, errors, PageQuery, Workspace, WorkspaceBody, WorkspaceParams } from '@elyzor/contract';
import { validationError } from '@elyzor/core';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import type { App, RouteContext } from '../http/types.js';
import { reachWorkspace } from '../services/workspace-access.js';
import { listAudit } from '../store/audit.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

const nonBlank = (name: string): string => {
  if (name.trim() === '') throw validationError('name must not be blank');
  return name;
};

/** GET|POST /v1/workspaces, GET|PATCH|DELETE /v1/workspaces/:workspaceId, GET /v1/workspaces/:workspaceId/audit */
export function registerWorkspaces(app: App, { deps, services }: RouteContext): void {
  const security = [{ bearer: [] }];
  app.get(
    '/v1/workspaces',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['workspaces'], summary: "The caller's workspaces (a root key: its own), newest first", security, querystring: PageQuery, response: { 200: Type.Array(Workspace), ...errors(400, 401) } },
    },
    async (request, reply) => sendPage(request, reply, await services.workspaces.list(ctxOf(request), { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor })),
  );

  app.post(
    '/v1/workspaces',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['workspaces'], summary: 'Create a team workspace; the caller is its owner', security, body: WorkspaceBody, response: { 201: Workspace, ...errors(400, 401, 403) } },
    },
    async (request, reply) => reply.code(201).send(await services.workspaces.create(ctxOf(request), nonBlank(request.body.name))),
  );

  app.get(
    '/v1/workspaces/:workspaceId',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['workspaces'], summary: 'A workspace, with the caller’s role in it', security, params: WorkspaceParams, response: { 200: Workspace, ...errors(401, 403, 404) } },
    },
    async (request) => services.workspaces.get(ctxOf(request), request.params.workspaceId),
  );

  app.patch(
    '/v1/workspaces/:workspaceId',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['workspaces'], summary: 'Rename a workspace (admins)', security, params: WorkspaceParams, body: WorkspaceBody, response: { 200: Workspace, ...errors(400, 401, 403, 404) } },
    },
    async (request) => services.workspaces.rename(ctxOf(request), request.params.workspaceId, nonBlank(request.body.name)),
  );

  app.delete(
    '/v1/workspaces/:workspaceId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['workspaces'],
        summary: 'Delete a team workspace with its projects, credentials, members, invitations and root keys (owners; one transaction)',
        security,
        params: WorkspaceParams,
        response: { 204: { type: 'null' }, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.workspaces.delete(ctxOf(request), request.params.workspaceId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/workspaces/:workspaceId/audit',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['audit'],
        summary: 'Audit log of the workspace, newest first: membership, invitations, root keys, and every entry of its projects',
        security,
        params: WorkspaceParams,
        querystring: PageQuery,
        response: { 200: Type.Array(AuditEvent), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const workspace = await reachWorkspace(deps.db, ctxOf(request), request.params.workspaceId, 'read');
      const page = await listAudit(deps.db, { workspaceId: workspace.id }, {}, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor });
      return sendPage(request, reply, page);
    },
  );
}
