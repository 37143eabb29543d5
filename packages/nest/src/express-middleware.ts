import type { HttpException } from '@nestjs/common';
import { ApiKeyService } from './api-key.service.js';
import { AuditLogService } from './audit-log.service.js';
import { KeyEvents } from './key-events.js';
import { WebhookService } from './webhook.service.js';
import { createBackend } from './create-backend.js';
import { authenticate } from './guards/authenticate.js';
import type { ApiKeyRequest } from './guards/request.js';
import { checkScopes } from './guards/scopes.guard.js';
import { resolveOptions, type ApiKeyModuleOptions } from './options.js';

export interface ApiKeyMiddlewareOptions extends ApiKeyModuleOptions {
  /** Scopes every request through this middleware must have (all of them). */
  scopes?: string[];
}

interface ExpressResponse {
  status(code: number): ExpressResponse;
  json(body: unknown): unknown;
  setHeader(name: string, value: string): unknown;
}

export interface ApiKeyMiddleware {
  (request: ApiKeyRequest, response: ExpressResponse, next: (error?: unknown) => void): void;
  /** The `ApiKeyService` of this middleware's keys, to create, list, revoke and rotate them (with `enableWebhooks`, announced to `webhooks`). */
  service(): Promise<ApiKeyService>;
}

const isHttpException = (error: unknown): error is HttpException =>
  typeof error === 'object' && error !== null && typeof (error as HttpException).getStatus === 'function' && typeof (error as HttpException).getResponse === 'function';

/**
 * nest-api-key-auth's middleware for plain Express apps: the guard's path (key sources, refusals
 * and their statuses, `request.apiKey`) without Nest. The options are the module's; a malformed
 * one throws here, naming it.
 */
export function createApiKeyMiddleware(options: ApiKeyMiddlewareOptions): ApiKeyMiddleware {
  const { scopes = [], ...moduleOptions } = options;
  const resolved = resolveOptions(moduleOptions);
  let service: Promise<ApiKeyService> | undefined;
  let audit: AuditLogService | undefined;
  // The module's services the guard path uses: webhooks of the keys' events, and the request log.
  const ready = (): Promise<ApiKeyService> =>
    (service ??= createBackend(resolved).then(async (backend) => {
      await backend.ready?.();
      const events = new KeyEvents();
      new WebhookService(resolved, events);
      audit = new AuditLogService(backend, resolved);
      return new ApiKeyService(backend, resolved, events);
    }));
  const middleware = ((request, response, next) => {
    ready()
      .then((keys) => authenticate(keys, resolved, request, response, audit))
      .then(() => checkScopes(scopes, request))
      .then(
        () => next(),
        (error: unknown) => {
          if (!isHttpException(error)) return next(error);
          response.status(error.getStatus()).json(error.getResponse());
        },
      );
  }) as ApiKeyMiddleware;
  middleware.service = ready;
  return middleware;
}
