import { AcceptInvitationBody, errors, Invitation, InvitationBody, InvitationParams, IssuedInvitation, PageQuery, Workspace, WorkspaceParams } from '@elyzor/contract';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

/**
 * POST|GET /v1/workspaces/:workspaceId/invitations, DELETE /v1/workspaces/:workspaceId/invitations/:invitationId,
 * POST /v1/workspaces/:workspaceId/invitations/:invitationId/resend, POST /v1/invitations/accept
 */
export function registerInvitations(app: App, { deps, services }: RouteContext): void {
  const security = [{ bearer: [] }];
  app.post(
    '/v1/workspaces/:workspaceId/invitations',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['invitations'],
        summary: 'Invite an email address with a role (admins; an owner: owners). The single-use token is in the answer, once',
        security,
        params: WorkspaceParams,
        body: InvitationBody,
        response: { 201: IssuedInvitation, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await services.invitations.create(ctxOf(request), request.params.workspaceId, request.body.email, request.body.role)),
  );

  app.get(
    '/v1/workspaces/:workspaceId/invitations',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['invitations'], summary: 'Invitations of the workspace, newest first (never their tokens)', security, params: WorkspaceParams, querystring: PageQuery, response: { 200: Type.Array(Invitation), ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) =>
      sendPage(request, reply, await services.invitations.list(ctxOf(request), request.params.workspaceId, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor })),
  );

  app.delete(
    '/v1/workspaces/:workspaceId/invitations/:invitationId',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['invitations'], summary: 'Revoke a pending invitation: its token admits no one', security, params: InvitationParams, response: { 204: { type: 'null' }, ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await services.invitations.revoke(ctxOf(request), request.params.workspaceId, request.params.invitationId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/workspaces/:workspaceId/invitations/:invitationId/resend',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['invitations'], summary: 'A new token and expiry for a pending or expired invitation; the old token stops working', security, params: InvitationParams, response: { 200: IssuedInvitation, ...errors(400, 401, 403, 404) } },
    },
    async (request) => services.invitations.resend(ctxOf(request), request.params.workspaceId, request.params.invitationId),
  );

  app.post(
    '/v1/invitations/accept',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['invitations'],
        summary: 'Accept an invitation of your email address: you join its workspace with its role (once)',
        security,
        body: AcceptInvitationBody,
        response: { 200: Workspace, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => services.invitations.accept(ctxOf(request), request.body.token),
  );
}
