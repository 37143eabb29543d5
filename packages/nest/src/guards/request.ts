import type { ExecutionContext } from '@nestjs/common';
import type { ApiKey } from '../api-key.js';
import type { KeyCarrier } from '../key-sources.js';

/** The request as the guards read it: its key sources, and `method` and path for the audit log. */
export type ApiKeyRequest = KeyCarrier & { apiKey?: ApiKey; method?: string; originalUrl?: string; url?: string };

/** The HTTP request and response of a guard's context (GraphQL guards find theirs in the GraphQL context). */
export function httpOf(context: ExecutionContext): { request: ApiKeyRequest; response: unknown } {
  const http = context.switchToHttp();
  return { request: http.getRequest<ApiKeyRequest>(), response: http.getResponse<unknown>() };
}
