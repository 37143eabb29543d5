import { applyDecorators, createParamDecorator, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { checkEndpointLimit, type EndpointLimit } from './endpoint-rate-limit.service.js';
import { ApiKeyGuard } from './guards/api-key.guard.js';
import { EndpointRateLimitGuard } from './guards/endpoint-rate-limit.guard.js';
import { graphqlRequest } from './guards/graphql-api-key.guard.js';
import { ScopesGuard } from './guards/scopes.guard.js';
import { API_KEY_AUTH_METADATA, ENDPOINT_RATE_LIMIT_METADATA, SCOPES_METADATA } from './tokens.js';

/** Protects a route (or every route of a controller): a valid key is required, `@Scopes` and `@EndpointRateLimit` enforced. */
export const ApiKeyAuth = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(API_KEY_AUTH_METADATA, true), UseGuards(ApiKeyGuard, ScopesGuard, EndpointRateLimitGuard));

/** Requests per key allowed on this route (or each route of a controller) per window; with `@ApiKeyAuth()`. */
export function EndpointRateLimit(limit: EndpointLimit): MethodDecorator & ClassDecorator {
  try {
    checkEndpointLimit(limit);
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
  return SetMetadata(ENDPOINT_RATE_LIMIT_METADATA, { max: limit.max, windowMs: limit.windowMs });
}

/** Scopes the key must have, all of them; on a controller and its methods, both sets are required. */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator => SetMetadata(SCOPES_METADATA, scopes);

/**
 * The validated key of the request (`request.apiKey`), or one of its fields: `@CurrentApiKey('id')`.
 * In a GraphQL resolver it is the key `GraphQLApiKeyGuard` put on the context's request.
 */
export const CurrentApiKey = createParamDecorator((field: string | undefined, context: ExecutionContext) => {
  const request = (context.getType<string>() === 'graphql' ? graphqlRequest(context).request : context.switchToHttp().getRequest()) as { apiKey?: Record<string, unknown> };
  const apiKey = request.apiKey;
  return field === undefined ? apiKey : apiKey?.[field];
});
