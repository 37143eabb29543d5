import { AuthResult, Credentials, errors } from '@elyzor/contract';
import { enforceIpLimit } from '../http/ip-limit.js';
import { setRefreshCookie } from '../http/session-cookie.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthLogin(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in; the same 401 for a wrong password and an unknown email',
        body: Credentials,
        response: { 200: AuthResult, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await enforceIpLimit(deps, 'auth', request.ip);
      const { user, tokens } = await services.auth.login(request.body.email, request.body.password);
      setRefreshCookie(reply, deps.config, tokens);
      return { user, accessToken: tokens.accessToken };
    },
  );
}
