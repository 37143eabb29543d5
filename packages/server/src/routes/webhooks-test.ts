import { errors, WebhookParams, WebhookTestQueued } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksTest(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/projects/:projectId/webhooks/:webhookId/test',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Queue a `webhook.test` event to this webhook; its delivery shows in …/deliveries',
        security: [{ bearer: [] }],
        params: WebhookParams,
        response: { 202: WebhookTestQueued, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const queued = await services.webhooks.test(ctxOf(request), request.params.projectId, request.params.webhookId);
      return reply.code(202).send(queued);
    },
  );
}
