import { DeliveriesQuery, errors, WebhookDelivery, WebhookParams } from '@elyzor/contract';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { authenticate, ctxOf } from '../http/authenticate.js';
import { sendPage } from '../http/pagination.js';
import type { App, RouteContext } from '../http/types.js';
import { DEFAULT_PAGE_SIZE } from '../store/page.js';

export function registerWebhooksDeliveries(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/projects/:projectId/webhooks/:webhookId/deliveries',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['webhooks'],
        summary: "The webhook's deliveries, newest first, each with every attempt (status, latency, first 1 KB of the answer)",
        security: [{ bearer: [] }],
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: Type.Array(WebhookDelivery), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { projectId, webhookId } = request.params;
      const page = await services.webhooks.deliveries(ctxOf(request), projectId, webhookId, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor });
      return (reply as FastifyReply).send(sendPage(request, reply, page));
    },
  );
}
