import { errors, Webhook, WebhookParams } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksGet(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/projects/:projectId/webhooks/:webhookId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook (never its secret)',
        security: [{ bearer: [] }],
        params: WebhookParams,
        response: { 200: Webhook, ...errors(401, 403, 404) },
      },
    },
    async (request) => services.webhooks.get(ctxOf(request), request.params.projectId, request.params.webhookId),
  );
}
