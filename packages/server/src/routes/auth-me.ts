import { authenticate, userIdOf } from '../http/authenticate.js';
import { errors, User } from '@elyzor/contract';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthMe(app: App, { deps, services }: RouteContext): void {
  app.get(
    '/v1/auth/me',
    {
      preHandler: authenticate(deps),
      schema: { tags: ['auth'], summary: 'The current user', security: [{ bearer: [] }], response: { 200: User, ...errors(401, 403) } },
    },
    async (request) => services.auth.me(userIdOf(request)),
  );
}
