import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { refusal } from '../refusals.js';
import { missingScopes } from '../scopes.js';
import { SCOPES_METADATA } from '../tokens.js';
import { httpOf, type ApiKeyRequest } from './request.js';

/** The scopes of `@Scopes` on the handler and on its controller: all required. */
export function requiredScopes(reflector: Reflector, context: ExecutionContext): string[] {
  return reflector.getAllAndMerge<string[]>(SCOPES_METADATA, [context.getHandler(), context.getClass()]) ?? [];
}

/** After `ApiKeyGuard`: refuses with 403 a key that lacks one of the required scopes. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    return checkScopes(requiredScopes(this.reflector, context), httpOf(context).request);
  }
}

export function checkScopes(required: string[], request: ApiKeyRequest): boolean {
  if (required.length === 0) return true;
  const apiKey = request.apiKey;
  if (apiKey === undefined) throw refusal('missing_api_key');
  const missing = missingScopes(apiKey.scopes, required);
  if (missing.length > 0) throw refusal('insufficient_scope', { missingScopes: missing });
  return true;
}
