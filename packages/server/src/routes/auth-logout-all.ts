import { authenticate, userIdOf } from '../http/authenticate.js';
import { errors } from '@elyzor/contract';
import { clearRefreshCookie } from '../http/session-cookie.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthLogoutAll(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/auth/logout-all',
    {
      preHandler: authenticate(deps),
      schema: {
        tags: ['auth'],
        summary: 'End every session of the user: all refresh tokens die, all access tokens are refused',
        security: [{ bearer: [] }],
        response: { 204: { type: 'null' }, ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      await services.auth.logoutAll(userIdOf(request));
      clearRefreshCookie(reply, deps.config);
      return reply.code(204).send(null);
    },
  );
}
