import { CREDENTIAL_PATTERN_SOURCE, displayPrefix, parseCredential, type CredentialType, type Environment } from '@elyzor/core';

/**
 * The published pattern of an Elyzor credential, as `elyzor scan` uses it and docs/cli.md
 * publishes it (for gitleaks and GitHub's custom patterns too; a test holds them equal): the
 * engine's shape, between word boundaries. RE2 and JavaScript read it alike.
 */
export const SCAN_PATTERN = `\\b${CREDENTIAL_PATTERN_SOURCE}\\b`;

/** A credential found in text: where, and what it is — never its secret. */
export interface Match {
  line: number;
  type: CredentialType;
  environment: Environment;
  publicId: string;
  /** `sk_live_<publicId>`: the prefix `elyzor keys list` shows, to find the key to revoke. */
  prefix: string;
}

/**
 * The credentials in `text` whose checksum holds (checked offline by the engine's parser), with
 * their line numbers; look-alikes with a wrong checksum are not credentials and are left out.
 */
export function credentialsIn(text: string, firstLine = 1): Match[] {
  const found: Match[] = [];
  let line = firstLine;
  let counted = 0;
  for (const match of text.matchAll(new RegExp(SCAN_PATTERN, 'g'))) {
    const parsed = parseCredential(match[0]);
    if (parsed === null) continue;
    for (let at = text.indexOf('\n', counted); at !== -1 && at < match.index; at = text.indexOf('\n', at + 1)) line++;
    counted = match.index;
    found.push({ line, type: parsed.type, environment: parsed.environment, publicId: parsed.publicId, prefix: displayPrefix(parsed.type, parsed.environment, parsed.publicId) });
  }
  return found;
}
