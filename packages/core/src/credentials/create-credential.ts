import { credentialAction } from '../teams/actions.js';
import { ElyzorError } from '../errors.js';
import { credentialEvent } from '../webhooks/events.js';
import type { Environment } from '../keys/key-format.js';
import type { CredentialKind } from '../verify/record.js';
import { auditEntry } from './audit-entry.js';
import { reachProject } from './authorize.js';
import type { Ctx } from './context.js';
import type { CredentialDeps } from './deps.js';
import { diff, validatePolicy, type PolicyInput } from './policy.js';
import { NameTakenError } from './ports.js';
import { auditable, CREDENTIAL_TYPE, toCredentialView, type CredentialView, type IssuedCredential } from './view.js';
import { generateUnkeyKey, sha256HexOf, unkeyLookupId, type UnkeyFormat } from '../keys/unkey-format.js';

export interface CreateCredentialInput extends PolicyInput {
  projectId: string;
  kind: CredentialKind;
  /** API keys only. */
  label?: string | undefined;
  /** Services only (required for them by the wire schema). */
  name?: string | undefined;
  environment?: Environment | undefined;
  /** API keys only: a key of Unkey's format (`<prefix>_<base58>`) instead of `sk_live_…`. */
  unkeyFormat?: { prefix: string; byteLength: number } | undefined;
}

/** An existing key brought in by its SHA-256 (hex), never seen in plaintext: Unkey's `keys.migrateKeys`. */
export interface ImportCredentialInput extends PolicyInput {
  projectId: string;
  sha256: string;
  label?: string | undefined;
  /** What views show of it; "" when unknown. */
  start?: string | undefined;
}

interface Secret {
  publicId: string;
  digest: string;
  keyFormat: UnkeyFormat | null;
}

/** A second live service with the same name in a project is a 400, whichever writer loses the race. */
export async function uniqueName<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof NameTakenError) throw new ElyzorError('validation_error', 'A service with this name already exists in this project');
    throw error;
  }
}

/**
 * Issues a credential. The plaintext is in the answer and nowhere else; the store keeps its
 * digest. The project is locked for the unit of work, so a concurrent deletion either waits for
 * this creation (and removes it) or wins (and this is a 404).
 */
export async function createCredential(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: CreateCredentialInput }): Promise<IssuedCredential> {
  const { unkeyFormat, environment, ...rest } = input;
  if (unkeyFormat !== undefined && input.kind !== 'key') throw new ElyzorError('validation_error', "Only API keys have Unkey's format");
  const unkey = unkeyFormat === undefined ? null : generateUnkeyKey(unkeyFormat.prefix, unkeyFormat.byteLength);
  const issued = unkey ?? deps.generate(CREDENTIAL_TYPE[input.kind], environment ?? 'live');
  const secret = { publicId: issued.publicId, digest: unkey?.digest ?? deps.digest(issued.token), keyFormat: unkey?.format ?? null };
  const created = await insertNew(deps, ctx, { ...rest, environment: issued.environment }, secret);
  return { ...created, key: issued.token };
}

/** Imports a key by its hash: it verifies from now on as if issued here, and no plaintext ever exists here. */
export async function importCredential(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: ImportCredentialInput }): Promise<CredentialView> {
  const { sha256, start, ...rest } = input;
  const digest = sha256HexOf(sha256);
  if (digest === null) throw new ElyzorError('validation_error', 'hash is not a SHA-256 in hex or base64');
  return insertNew(deps, ctx, { ...rest, kind: 'key', environment: 'live' }, { publicId: unkeyLookupId(digest), digest, keyFormat: { prefix: '', byteLength: 0, start: start ?? '' } });
}

async function insertNew(
  deps: CredentialDeps,
  ctx: Ctx,
  input: Omit<CreateCredentialInput, 'unkeyFormat' | 'environment'> & { environment: Environment },
  secret: Secret,
): Promise<CredentialView> {
  const { projectId, kind, label, name, environment, ...policyInput } = input;
  const now = deps.clock.now();
  const created = await uniqueName(() =>
    deps.store.transaction(async (tx) => {
      await reachProject(ctx, projectId, (id, user) => tx.lockProject(id, user), credentialAction('create', kind));
      // After authorization: a project out of reach is a 404 whatever the body says.
      const policy = validatePolicy(policyInput, now);
      const credential = await tx.insertCredential({
        projectId,
        kind,
        environment,
        publicId: secret.publicId,
        digest: secret.digest,
        keyFormat: secret.keyFormat,
        label: kind === 'key' ? (label ?? null) : null,
        name: kind === 'service' ? (name ?? null) : null,
        ...policy,
      });
      const view = toCredentialView(credential, now);
      await tx.audit(auditEntry(ctx, { projectId, action: `${kind}.created`, targetType: kind, targetId: credential.id, changes: diff({}, auditable(view)) }));
      await tx.emit(credentialEvent(kind, 'created', projectId, view));
      return credential;
    }),
  );
  // A cached "unknown" for this public id (however unlikely) must not outlive the creation.
  await deps.bus.publish([secret.publicId]);
  return toCredentialView(created, now);
}
