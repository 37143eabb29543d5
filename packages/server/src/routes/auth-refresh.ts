import { Type } from 'typebox';
import { errors } from '@elyzor/contract';
import { refreshCookieOf, setRefreshCookie } from '../http/session-cookie.js';
import type { App, RouteContext } from '../http/types.js';

export function registerAuthRefresh(app: App, { deps, services }: RouteContext): void {
  app.post(
    '/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange the refresh token (cookie, or body for clients without cookies) for new tokens',
        description:
          'The presented refresh token dies. Presenting one that was already rotated ends every session of the user, except the immediately previous one within REFRESH_REUSE_GRACE_SECONDS of its exchange (a retry): it gets the same successor again.',
        body: Type.Object({ refreshToken: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ accessToken: Type.String(), refreshToken: Type.Optional(Type.String({ description: 'Only when the token came in the body' })) }), ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const fromCookie = refreshCookieOf(request);
      const tokens = await services.auth.refresh(fromCookie ?? request.body.refreshToken);
      setRefreshCookie(reply, deps.config, tokens);
      // A client that sent its token in the body has no cookie jar: it gets the next one there.
      return fromCookie === undefined ? { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken } : { accessToken: tokens.accessToken };
    },
  );
}
