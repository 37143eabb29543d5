import { errors, IssuedRootKey, PageQuery, RootKey, RootKeyBody, RootKeyParams, WorkspaceParams } from '@elyzor/contract';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

/**
 * POST|GET /v1/workspaces/:workspaceId/root-keys, POST /v1/workspaces/:workspaceId/root-keys/:rootKeyId/rotate,
 * DELETE /v1/workspaces/:workspaceId/root-keys/:rootKeyId
 */
export function registerRootKeys(app: App, { deps, services }: RouteContext): void {
  const security = [{ bearer: [] }];
  app.post(
    '/v1/workspaces/:workspaceId/root-keys',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['root keys'],
        summary: 'Create a root key (admins): a machine credential for this API, limited to its permissions; the key is in the answer, once',
        security,
        params: WorkspaceParams,
        body: RootKeyBody,
        response: { 201: IssuedRootKey, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await services.rootKeys.create(ctxOf(request), request.params.workspaceId, request.body)),
  );

  app.get(
    '/v1/workspaces/:workspaceId/root-keys',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['root keys'], summary: 'Root keys of the workspace (never their secrets)', security, params: WorkspaceParams, querystring: PageQuery, response: { 200: Type.Array(RootKey), ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) =>
      sendPage(request, reply, await services.rootKeys.list(ctxOf(request), request.params.workspaceId, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor })),
  );

  app.post(
    '/v1/workspaces/:workspaceId/root-keys/:rootKeyId/rotate',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['root keys'], summary: 'A new secret for the root key; the old one is refused from the next request on', security, params: RootKeyParams, response: { 200: IssuedRootKey, ...errors(401, 403, 404) } },
    },
    async (request) => services.rootKeys.rotate(ctxOf(request), request.params.workspaceId, request.params.rootKeyId),
  );

  app.delete(
    '/v1/workspaces/:workspaceId/root-keys/:rootKeyId',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['root keys'], summary: 'Revoke a root key: refused from the next request on, on every instance', security, params: RootKeyParams, response: { 204: { type: 'null' }, ...errors(401, 403, 404) } },
    },
    async (request, reply) => {
      await services.rootKeys.revoke(ctxOf(request), request.params.workspaceId, request.params.rootKeyId);
      return reply.code(204).send(null);
    },
  );
}
