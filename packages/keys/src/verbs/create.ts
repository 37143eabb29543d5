import { storageCall } from '../errors.js';
import type { ActionContext, ApiKeyMetadata, ApiKeyRecord } from '../types.js';
import { logAction, newId, nowIso, type Ctx } from './context.js';
import { checkExtras } from './extras.js';
import { KEY_PREFIX_LENGTH } from '../slow-hash.js';

/**
 * A new key: generated, hashed, stored with keypal's metadata (plus any of Elyzor's extras that
 * were given), and logged. The key itself is returned once and never stored.
 */
export async function create(ctx: Ctx, input: Partial<ApiKeyMetadata>, context?: ActionContext): Promise<{ key: string; record: ApiKeyRecord }> {
  if (typeof input !== 'object' || input === null) throw new TypeError('create: metadata must be an object');
  checkExtras('create: metadata.', input, ctx.clock.now());
  const now = nowIso(ctx);
  const metadata: ApiKeyMetadata = {
    ownerId: input.ownerId ?? '',
    name: input.name,
    description: input.description,
    scopes: input.scopes,
    resources: input.resources,
    expiresAt: input.expiresAt ?? null,
    createdAt: now,
    lastUsedAt: undefined,
    enabled: input.enabled ?? true,
    revokedAt: null,
    rotatedTo: null,
    tags: input.tags?.map((t) => t.toLowerCase()),
  };
  if (input.rateLimit != null) metadata.rateLimit = input.rateLimit;
  if (input.quota != null) metadata.quota = input.quota;
  if (input.credits != null) metadata.credits = { ...input.credits, setAt: input.credits.setAt ?? now };
  if (input.ipAllowlist !== undefined) metadata.ipAllowlist = input.ipAllowlist;
  if (input.ipDenylist !== undefined) metadata.ipDenylist = input.ipDenylist;
  if (input.limitKey !== undefined) metadata.limitKey = input.limitKey;
  if (input.attributes != null) metadata.attributes = input.attributes;
  return issue(ctx, metadata, context);
}

/**
 * Stores `metadata` under a new key and logs its creation: the part of `create` that `rotate`
 * shares, so that a rotation's replacement is the old metadata as it is, not a rebuilt copy.
 */
export async function issue(ctx: Ctx, metadata: ApiKeyMetadata, context?: ActionContext): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = ctx.format.generate();
  const slow = ctx.slow;
  let keyHash: string;
  if (slow === null) keyHash = ctx.hash(key);
  else {
    // A salted digest cannot be looked up: the prefix finds the candidates (see slow-hash.ts).
    keyHash = await storageCall(() => slow.hash(key));
    metadata.keyPrefix = key.slice(0, KEY_PREFIX_LENGTH);
  }
  const record: ApiKeyRecord = { id: ctx.storage.newId?.() ?? newId(), keyHash, metadata };
  await storageCall(() => ctx.storage.save(record));
  await logAction(ctx, 'created', record.id, metadata.ownerId, {
    ...context,
    metadata: { name: metadata.name, scopes: metadata.scopes, ...context?.metadata },
  });
  return { key, record };
}
