import { scopeCovers } from '@elyzor/core';

/** nest-api-key-auth's scope format: `resource:action` (`read:projects`, `admin:*`). */
const SCOPE = /^[A-Za-z0-9_.-]+:(?:\*|[A-Za-z0-9_.-]+)$/;

export const isScope = (value: unknown): value is string => typeof value === 'string' && SCOPE.test(value);

/**
 * Whether `granted` covers `required`: equal, or `<part>:*` covering every `<part>:…` (the
 * engine's rule), and `admin:*` covering every scope.
 */
export const covers = (granted: string, required: string): boolean => granted === 'admin:*' || scopeCovers(granted, required);

/** The required scopes that `granted` does not cover (all are required). */
export const missingScopes = (granted: readonly string[], required: readonly string[]): string[] =>
  required.filter((scope) => !granted.some((g) => covers(g, scope)));
