/**
 * Keys of Unkey's format (issued through `/v2`, or imported by their SHA-256 through
 * `keys.migrateKeys`): their prefix, byte length and start, for views and rerolls. Such a key is
 * found by a lookup id derived from its hash (`public_id`), like any other credential.
 */
export const up = `
alter table credentials add column key_format jsonb;
`;
