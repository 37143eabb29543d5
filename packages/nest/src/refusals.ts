import { ForbiddenException, HttpException, HttpStatus, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { RefusalCode } from './backend.js';

const MESSAGES: Record<RefusalCode, string> = {
  missing_api_key: 'API key is missing',
  invalid_api_key: 'API key is invalid',
  key_expired: 'API key has expired',
  key_revoked: 'API key has been revoked',
  key_suspended: 'API key is suspended',
  key_pending: 'API key is waiting for approval',
  ip_not_allowed: 'This address may not use this API key',
  insufficient_scope: 'API key lacks the required scopes',
  rate_limit_exceeded: 'Rate limit exceeded for this API key',
  quota_exceeded: 'Usage quota exceeded for this API key',
  endpoint_rate_limit_exceeded: 'Rate limit exceeded for this endpoint',
  service_unavailable: 'API key verification is unavailable',
};

/** A refusal as the Nest exception of its status: 401, 403, 429 or 503, with a stable `code`. */
export function refusal(code: RefusalCode, extra: { missingScopes?: string[]; retryAfterSeconds?: number } = {}): HttpException {
  const message = MESSAGES[code];
  switch (code) {
    case 'missing_api_key':
    case 'invalid_api_key':
    case 'key_expired':
    case 'key_revoked':
      return new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', code, message });
    case 'key_suspended':
    case 'key_pending':
    case 'ip_not_allowed':
      return new ForbiddenException({ statusCode: 403, error: 'Forbidden', code, message });
    case 'insufficient_scope':
      return new ForbiddenException({ statusCode: 403, error: 'Forbidden', code, message, missingScopes: extra.missingScopes ?? [] });
    case 'rate_limit_exceeded':
    case 'quota_exceeded':
    case 'endpoint_rate_limit_exceeded':
      return new HttpException({ statusCode: 429, error: 'Too Many Requests', code, message, retryAfter: extra.retryAfterSeconds }, HttpStatus.TOO_MANY_REQUESTS);
    case 'service_unavailable':
      return new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', code, message });
  }
}

/** Whole seconds to wait, at least 1: the `Retry-After` of a 429. */
export const retryAfterSeconds = (ms: number | undefined): number => Math.max(1, Math.ceil((ms ?? 1000) / 1000));

/** Sets a header on an Express or Fastify response (the guard runs before either writes). */
export function setHeader(response: unknown, name: string, value: string): void {
  const res = response as { header?: (n: string, v: string) => unknown; setHeader?: (n: string, v: string) => unknown };
  if (typeof res.header === 'function') res.header(name, value);
  else if (typeof res.setHeader === 'function') res.setHeader(name, value);
}
