import { scopeCovers } from '@elyzor/core';

/**
 * Scope checks with keypal's semantics: a scope is granted when it is listed (exact match), in
 * the global scopes or, when a resource is named, in that resource's scopes. With
 * `wildcards`, `*` and `<part>:*` also grant, as in the Elyzor service (core's `scopeCovers`).
 */
export interface ScopeCheckOptions {
  resource?: string;
}

type Covers = (granted: string, required: string) => boolean;
const exact: Covers = (granted, required) => granted === required;
export const coversFor = (wildcards: boolean): Covers => (wildcards ? scopeCovers : exact);

const holds = (granted: readonly string[] | undefined, required: string, covers: Covers): boolean =>
  granted !== undefined && granted.some((g) => covers(g, required));

function onResource(resources: Record<string, string[]> | undefined, resource: string | undefined): string[] | undefined {
  if (resources === undefined || resource === undefined || resource === '') return undefined;
  // Own properties only: a resource named `__proto__` must not reach Object.prototype.
  return Object.hasOwn(resources, resource) ? resources[resource] : undefined;
}

/** Does a plain scope list hold `scope`? */
export function hasScope(scopes: string[] | undefined, scope: string): boolean {
  return holds(scopes, scope, exact);
}

/** Does a plain scope list hold any of `required`? False for an empty list. */
export function hasAnyScope(scopes: string[] | undefined, required: string[]): boolean {
  return scopes !== undefined && scopes.length > 0 && required.some((s) => holds(scopes, s, exact));
}

/** Does a plain scope list hold all of `required`? False for an empty list, as in keypal. */
export function hasAllScopes(scopes: string[] | undefined, required: string[]): boolean {
  return scopes !== undefined && scopes.length > 0 && required.every((s) => holds(scopes, s, exact));
}

export function hasScopeWithResources(
  global: string[] | undefined,
  resources: Record<string, string[]> | undefined,
  scope: string,
  options: ScopeCheckOptions = {},
  covers: Covers = exact,
): boolean {
  return holds(global, scope, covers) || holds(onResource(resources, options.resource), scope, covers);
}

export function hasAnyScopeWithResources(
  global: string[] | undefined,
  resources: Record<string, string[]> | undefined,
  required: string[],
  options: ScopeCheckOptions = {},
  covers: Covers = exact,
): boolean {
  return required.some((scope) => hasScopeWithResources(global, resources, scope, options, covers));
}

/**
 * All of `required`, each from the global scopes or from the resource's. With a resource named
 * but not granted at all, only the global scopes can satisfy it (keypal's answer).
 */
export function hasAllScopesWithResources(
  global: string[] | undefined,
  resources: Record<string, string[]> | undefined,
  required: string[],
  options: ScopeCheckOptions = {},
  covers: Covers = exact,
): boolean {
  if (global !== undefined && required.every((scope) => holds(global, scope, covers))) return true;
  const scoped = onResource(resources, options.resource);
  if (scoped === undefined) return false;
  return required.every((scope) => holds(global, scope, covers) || holds(scoped, scope, covers));
}
