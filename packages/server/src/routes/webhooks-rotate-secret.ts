import { errors, WebhookParams, WebhookWithSecret } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksRotateSecret(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/projects/:projectId/webhooks/:webhookId/rotate-secret',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Replace the signing secret at once; the new one is in this answer only',
        security: [{ bearer: [] }],
        params: WebhookParams,
        response: { 200: WebhookWithSecret, ...errors(401, 403, 404) },
      },
    },
    async (request) => services.webhooks.rotateSecret(ctxOf(request), request.params.projectId, request.params.webhookId),
  );
}
