import type { Storage } from '@elyzor/keys';

/**
 * A custom adapter (`adapter: 'custom'`): keypal's `Storage` interface, the one every store of
 * `@elyzor/keys` implements (`save`, `findByHash`, `findById`, `findByOwner`, `findByTag`,
 * `findByTags`, `updateMetadata`, `delete`, `deleteByOwner`, and optionally the audit-log methods,
 * and `findByKeyPrefix`, which `hashAlgorithm: 'bcrypt' | 'argon2'` needs).
 */
export type IApiKeyAdapter = Storage;
