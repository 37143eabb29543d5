import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EndpointRateLimitService, type EndpointLimit } from '../endpoint-rate-limit.service.js';
import { refusal, retryAfterSeconds, setHeader } from '../refusals.js';
import { ENDPOINT_RATE_LIMIT_METADATA } from '../tokens.js';
import { httpOf } from './request.js';

/** After `ApiKeyGuard` and `ScopesGuard`: the route's `@EndpointRateLimit`, per key; 429 with `Retry-After` past it. */
@Injectable()
export class EndpointRateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(EndpointRateLimitService) private readonly limits: EndpointRateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.reflector.getAllAndOverride<EndpointLimit | undefined>(ENDPOINT_RATE_LIMIT_METADATA, [context.getHandler(), context.getClass()]);
    if (limit === undefined) return true;
    const { request, response } = httpOf(context);
    if (request.apiKey === undefined) throw refusal('missing_api_key');
    const endpoint = `${context.getClass().name}.${context.getHandler().name}`;
    const decision = await this.limits.consume(endpoint, request.apiKey.id, limit);
    if (decision.allowed) return true;
    const seconds = retryAfterSeconds(decision.retryAfterMs);
    setHeader(response, 'Retry-After', String(seconds));
    throw refusal('endpoint_rate_limit_exceeded', { retryAfterSeconds: seconds });
  }
}
