/**
 * Rate-limit overrides of a namespace: an identifier (`acme_42`) or a pattern with `*` wildcards
 * (`acme_*`, `*_admin`, `*bot*`), each with a limit of its own.
 */
export interface OverrideRule {
  id: string;
  identifier: string;
  limit: number;
  durationMs: number;
}

/** Whether `identifier` matches `pattern`, where `*` stands for any run of characters (none too). */
export function matchesPattern(pattern: string, identifier: string): boolean {
  if (!pattern.includes('*')) return pattern === identifier;
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (identifier.length < first.length + last.length || !identifier.startsWith(first) || !identifier.endsWith(last)) return false;
  // The middle parts, in order, between the fixed start and end.
  let at = first.length;
  const end = identifier.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = identifier.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * The override that applies to `identifier`, as Unkey chooses it: an exact match wins; else the
 * matching pattern that fixes the most characters (the most specific: `acme_pro_*` over `acme_*`
 * over `*`); between equally specific patterns, the one that sorts first (so every instance picks
 * the same). Undefined when none matches.
 */
export function matchOverride<T extends OverrideRule>(identifier: string, overrides: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const override of overrides) {
    if (!matchesPattern(override.identifier, identifier)) continue;
    // An exact match outranks every pattern: a pattern fixes fewer characters than the identifier has.
    const score = override.identifier.includes('*') ? override.identifier.replaceAll('*', '').length : Number.MAX_SAFE_INTEGER;
    if (score > bestScore || (score === bestScore && best !== undefined && override.identifier < best.identifier)) {
      best = override;
      bestScore = score;
    }
  }
  return best;
}

/** A pattern as a SQL `LIKE` pattern (escape character `\`), so the store returns only candidates. */
export function likePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}
