import type { CredentialKind } from '@elyzor/core';
import type { FastifyReply } from 'fastify';
import { VerifyBody, VerifyFailure, VerifySuccessKey, VerifySuccessService } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';
import { answerHeaders, answerVerification } from '../http/verify-answer.js';

/**
 * POST /v1/verify (sk_ keys) and POST /v1/verify/service (svc_ identities): the hot path. The
 * plain form of these requests is served by the verify lane (`http/verify-lane.ts`) before
 * Fastify sees it; these routes document the endpoints and serve every other form. Both call
 * `answerVerification`, which writes the exact shapes of docs/api.md (the schemas below document them).
 */
export function registerVerify(app: App, { deps }: RouteContext): void {
  const routes: Array<[string, CredentialKind]> = [
    ['/v1/verify', 'key'],
    ['/v1/verify/service', 'service'],
  ];
  for (const [url, kind] of routes) {
    app.post(
      url,
      {
        config: { verifyShape: true },
        schema: {
          tags: ['verification'],
          summary: kind === 'key' ? 'Verify an API key (Authorization: Bearer sk_live_…)' : 'Verify a service identity (Authorization: Bearer svc_live_…)',
          security: [{ credential: [] }],
          body: VerifyBody,
          response: {
            200: kind === 'key' ? VerifySuccessKey : VerifySuccessService,
            401: VerifyFailure,
            403: VerifyFailure,
            429: VerifyFailure,
          },
        },
      },
      async (request, reply) => {
        const answer = await answerVerification(deps, { kind, authorization: request.headers.authorization, body: request.body, ip: request.ip });
        // The answer is JSON text already: the same bytes the verify lane writes.
        return (reply as FastifyReply).code(answer.status).headers(answerHeaders(answer)).type('application/json; charset=utf-8').send(answer.body);
      },
    );
  }
}
