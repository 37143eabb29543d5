import { errors, UpdateWebhookBody, Webhook, WebhookParams } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksUpdate(app: App, { deps, services }: RouteContext): void {
  app.patch(
    '/v1/projects/:projectId/webhooks/:webhookId',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Change a webhook (only the fields given): url, events, description, enabled',
        description: 'While disabled, a webhook gets no new events and its pending deliveries wait; enabling it resumes them.',
        security: [{ bearer: [] }],
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: Webhook, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => services.webhooks.update(ctxOf(request), request.params.projectId, request.params.webhookId, request.body),
  );
}
