import type { CredentialKind } from '@elyzor/core';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { VerifyBody, VerifyFailure } from '../http/schemas.js';
import type { App, RouteContext } from '../http/types.js';
import { answerVerification } from '../http/verify-answer.js';

const SuccessKey = Type.Object({
  valid: Type.Literal(true),
  projectId: Type.String(),
  rateLimitRemaining: Type.Union([Type.Integer(), Type.Null()]),
  keyId: Type.String(),
  environment: Type.String(),
  scopes: Type.Array(Type.String()),
  metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  quotaRemaining: Type.Optional(Type.Integer()),
  creditsRemaining: Type.Optional(Type.Integer()),
});

const SuccessService = Type.Object({
  ...SuccessKey.properties,
  service: Type.Object({ id: Type.String(), name: Type.String() }),
});

/**
 * POST /v1/verify (sk_ keys) and POST /v1/verify/service (svc_ identities): the hot path. The
 * plain form of these requests is served by the verify lane (`http/verify-lane.ts`) before
 * Fastify sees it; these routes document the endpoints and serve every other form. Both call
 * `answerVerification`, which writes the README's exact shapes (the schemas below document them).
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
            200: kind === 'key' ? SuccessKey : SuccessService,
            401: VerifyFailure,
            403: VerifyFailure,
            429: VerifyFailure,
          },
        },
      },
      async (request, reply) => {
        const answer = await answerVerification(deps, { kind, authorization: request.headers.authorization, body: request.body, ip: request.ip });
        // The answer is JSON text already: the same bytes the verify lane writes.
        return (reply as FastifyReply).code(answer.status).headers(answer.headers).type('application/json; charset=utf-8').send(answer.body);
      },
    );
  }
}
