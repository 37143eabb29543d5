import { errors, WebhookParams } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksDelete(app: App, { deps, services }: RouteContext): void {
  app.delete(
    '/v1/projects/:projectId/webhooks/:webhookId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook with its pending deliveries and their history',
        security: [{ bearer: [] }],
        params: WebhookParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await services.webhooks.delete(ctxOf(request), request.params.projectId, request.params.webhookId);
      return reply.code(204).send(null);
    },
  );
}
