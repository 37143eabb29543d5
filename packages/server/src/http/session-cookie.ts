import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { SessionTokens } from '../services/auth.js';

export const REFRESH_COOKIE = 'refreshToken';

/**
 * The refresh cookie of the request, if it has one. An empty `refreshToken=` is no cookie: it
 * must not hide a token sent in the body (a client that cleared its cookie, or a proxy that
 * blanked it).
 */
export function refreshCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies[REFRESH_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/** The refresh token travels in an HttpOnly, SameSite=Strict cookie scoped to /v1/auth. */
export function setRefreshCookie(reply: FastifyReply, config: Config, tokens: SessionTokens): void {
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/v1/auth',
    secure: config.env === 'production',
    expires: tokens.refreshExpiresAt,
  });
}

export function clearRefreshCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/v1/auth', secure: config.env === 'production' });
}
