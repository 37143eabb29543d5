import { AuthResult, errors, RegisterBody } from '@elyzor/contract';
import { enforceIpLimit } from '../http/ip-limit.js';
import { setRefreshCookie } from '../http/session-cookie.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthRegister(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account (under SIGNUP=invite: with a live invitation of this email)',
        body: RegisterBody,
        response: { 201: AuthResult, ...errors(400, 403, 404, 413, 429) },
      },
    },
    async (request, reply) => {
      await enforceIpLimit(deps, 'auth', request.ip);
      const { user, tokens } = await services.auth.register(request.body.email, request.body.password, request.body.invitationToken);
      setRefreshCookie(reply, deps.config, tokens);
      return reply.code(201).send({ user, accessToken: tokens.accessToken });
    },
  );
}
