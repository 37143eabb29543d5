import type { CreateCredentialInput } from '@elyzor/core';
import type { FastifyReply } from 'fastify';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { errors, ProjectParams } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { KEYS, SERVICES } from './credential-kinds.js';

/** POST /v1/projects/:projectId/keys and POST /v1/projects/:projectId/services */
export function registerCredentialsCreate(app: App, { deps }: RouteContext): void {
  for (const [path, routes] of [
    ['/v1/projects/:projectId/keys', KEYS],
    ['/v1/projects/:projectId/services', SERVICES],
  ] as const) {
    app.post(
      path,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [routes.tag],
          summary: routes.kind === 'key' ? 'Issue an API key (sk_live_…)' : 'Register a service identity (svc_live_…)',
          description: 'The plaintext credential is in this response only; store it now.',
          security: [{ bearer: [] }],
          params: ProjectParams,
          body: routes.createBody,
          response: { 201: routes.issued, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const body = request.body as Omit<CreateCredentialInput, 'projectId' | 'kind'>;
        const created = await deps.credentials.create({ ctx: ctxOf(request), input: { ...body, projectId: request.params.projectId, kind: routes.kind } });
        // The schema differs per kind; the view is checked against it at serialization.
        return (reply as FastifyReply).code(201).send(created);
      },
    );
  }
}
