import type { ScopeGrants } from './record.js';

/**
 * Does `granted` cover `required`? Scopes are `resource:action` strings (`read:invoices`).
 * `*` grants everything; `<part>:*` grants every scope that starts with `<part>:`.
 */
export function scopeCovers(granted: string, required: string): boolean {
  if (granted === '*' || granted === required) return true;
  if (granted.endsWith(':*')) return required.startsWith(granted.slice(0, -1));
  return false;
}

/** The requested scopes that neither the global grants nor the grants on `resource` cover. */
export function missingScopes(grants: ScopeGrants, requested: readonly string[], resource?: string): string[] {
  // Own properties only: a resource named `constructor` or `__proto__` must not reach Object.prototype.
  const onResource = resource !== undefined && Object.hasOwn(grants.resources, resource) ? (grants.resources[resource] ?? []) : [];
  return requested.filter(
    (scope) => !grants.global.some((g) => scopeCovers(g, scope)) && !onResource.some((g) => scopeCovers(g, scope)),
  );
}
