import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuditLogService } from '../audit-log.service.js';
import { Reflector } from '@nestjs/core';
import { ApiKeyService } from '../api-key.service.js';
import type { ResolvedOptions } from '../options.js';
import { API_KEY_MODULE_OPTIONS } from '../tokens.js';
import { authenticate } from './authenticate.js';
import type { ApiKeyRequest } from './request.js';
import { checkScopes, requiredScopes } from './scopes.guard.js';

/**
 * The request of a GraphQL resolver's context: `context.req` (Apollo, and mercurius's
 * `context.reply.request`), read from the resolver's arguments `(root, args, context, info)`,
 * so that the package needs no `@nestjs/graphql` itself.
 */
export function graphqlRequest(context: ExecutionContext): { request: ApiKeyRequest; response: unknown } {
  const gqlContext = context.getArgByIndex<{ req?: ApiKeyRequest; res?: unknown; reply?: { request?: ApiKeyRequest } } | undefined>(2);
  const request = gqlContext?.req ?? gqlContext?.reply?.request;
  if (request === undefined) throw new Error('GraphQLApiKeyGuard: the GraphQL context has no req; give the driver context: ({ req }) => ({ req })');
  return { request, response: gqlContext?.res ?? gqlContext?.reply };
}

/**
 * `ApiKeyGuard` and `ScopesGuard` for GraphQL resolvers (`@UseGuards(GraphQLApiKeyGuard)`):
 * the key is read from the HTTP request in the GraphQL context, checked with the resolver's
 * `@Scopes`, and put on `context.req.apiKey`. Refusals are the same exceptions as over HTTP.
 */
@Injectable()
export class GraphQLApiKeyGuard implements CanActivate {
  constructor(
    @Inject(ApiKeyService) private readonly service: ApiKeyService,
    @Inject(API_KEY_MODULE_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Optional() @Inject(AuditLogService) private readonly audit?: AuditLogService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { request, response } = context.getType<string>() === 'graphql' ? graphqlRequest(context) : { request: context.switchToHttp().getRequest<ApiKeyRequest>(), response: context.switchToHttp().getResponse<unknown>() };
    await authenticate(this.service, this.options, request, response, this.audit);
    return checkScopes(requiredScopes(this.reflector, context), request);
  }
}
