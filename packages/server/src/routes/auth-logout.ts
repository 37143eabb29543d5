import { authenticate, claimsOf } from '../http/authenticate.js';
import { errors } from '@elyzor/contract';
import { clearRefreshCookie, refreshCookieOf } from '../http/session-cookie.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthLogout(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/auth/logout',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['auth'],
        summary: 'End this session: the access token is refused from now on and its refresh token dies',
        security: [{ bearer: [] }],
        response: { 204: { type: 'null' }, ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      await services.auth.logout(claimsOf(request), refreshCookieOf(request));
      clearRefreshCookie(reply, deps.config);
      return reply.code(204).send(null);
    },
  );
}
