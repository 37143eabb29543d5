import { DeliveryParams, errors } from '@elyzor/contract';
import { authenticate, ctxOf } from '../http/authenticate.js';
import type { App, RouteContext } from '../http/types.js';

export function registerWebhooksRedeliver(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/projects/:projectId/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again now (delivered or failed alike), with a fresh retry schedule',
        security: [{ bearer: [] }],
        params: DeliveryParams,
        response: { 202: { type: 'null' }, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { projectId, webhookId, deliveryId } = request.params;
      await services.webhooks.redeliver(ctxOf(request), projectId, webhookId, deliveryId);
      return reply.code(202).send(null);
    },
  );
}
