import type { FastifyReply } from 'fastify';
import { actorOf, authenticate } from '../http/authenticate.js';
import { errors, ProjectParams } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { CREDENTIAL_KINDS } from './credential-kinds.js';

export function registerCredentialsCreate(app: App, { deps, services }: RouteContext): void {
  for (const { kind, segment, tag, createBody, issued } of CREDENTIAL_KINDS) {
    app.post(
      `/v1/projects/:projectId/${segment}`,
      {
        preHandler: authenticate(deps),
        schema: {
          tags: [tag],
          summary: kind === 'key' ? 'Issue an API key (sk_live_…)' : 'Register a service identity (svc_live_…)',
          description: 'The plaintext credential is in this response only; store it now.',
          security: [{ bearer: [] }],
          params: ProjectParams,
          body: createBody,
          response: { 201: issued, ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const body = request.body as { label?: string; name?: string };
        const created = await services.credentials.create(actorOf(request), request.params.projectId, kind, body);
        // The schema differs per kind; the view is checked against it at serialization.
        return (reply as FastifyReply).code(201).send(created);
      },
    );
  }
}
