import { CreateWebhookBody, errors, ProjectParams, WebhookWithSecret } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksCreate(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/projects/:projectId/webhooks',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to events; the signing secret (`whsec_…`) is in this answer only',
        security: [{ bearer: [] }],
        params: ProjectParams,
        body: CreateWebhookBody,
        response: { 201: WebhookWithSecret, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const created = await services.webhooks.create(ctxOf(request), request.params.projectId, request.body);
      return reply.code(201).send(created);
    },
  );
}
