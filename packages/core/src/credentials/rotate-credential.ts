import { credentialAction } from '../teams/actions.js';
import { ElyzorError, notFound } from '../errors.js';
import { credentialEvent } from '../webhooks/events.js';
import { DEFAULT_UNKEY_BYTES, generateUnkeyKey } from '../keys/unkey-format.js';
import { auditEntry } from './audit-entry.js';
import { isUuid, reachProject } from './authorize.js';
import type { Ctx } from './context.js';
import { limitKeyOf } from './credential.js';
import type { CredentialDeps } from './deps.js';
import { credentialNoun, type CredentialRef } from './get-credential.js';
import { CREDENTIAL_TYPE, toCredentialView, type IssuedCredential } from './view.js';

export interface RotateCredentialInput extends CredentialRef {
  /** How long the old credential keeps working beside the new one; 0 retires it at once. */
  gracePeriodSeconds?: number | undefined;
}

/**
 * Issues a replacement and retires the old credential, at once or at the end of an overlap
 * during which both work. The replacement is a structural copy (every setting carried over) that
 * shares the old one's counters, so a rotation resets no quota or balance.
 */
export async function rotateCredential(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: RotateCredentialInput }): Promise<IssuedCredential> {
  const { projectId, kind, id } = input;
  const grace = input.gracePeriodSeconds ?? 0;
  const now = deps.clock.now();
  const retireAt = new Date(now + grace * 1000);
  const { credential, token, oldPublicId } = await deps.store.transaction(async (tx) => {
    await reachProject(ctx, projectId, (id, user) => tx.lockProject(id, user), credentialAction('rotate', kind));
    if (!isUuid(id)) throw notFound(credentialNoun(kind));
    const old = await tx.lockCredential(projectId, kind, id);
    if (old === undefined) throw notFound(credentialNoun(kind));
    if (old.revokedAt !== null) throw new ElyzorError('already_revoked', `${credentialNoun(kind)} is revoked or already rotated`);
    // A key of Unkey's format is replaced by one of the same prefix and length.
    const unkey = old.keyFormat === null ? null : generateUnkeyKey(old.keyFormat.prefix, old.keyFormat.byteLength || DEFAULT_UNKEY_BYTES);
    const issued = unkey ?? deps.generate(CREDENTIAL_TYPE[kind], old.environment);
    // Retire the old one first: for services this frees the name for the replacement.
    await tx.updateCredential(old.id, { revokedAt: retireAt, revokeReason: 'rotated' });
    const replacement = await tx.cloneCredential(old.id, {
      publicId: issued.publicId,
      digest: unkey?.digest ?? deps.digest(issued.token),
      limitKey: limitKeyOf(old),
      keyFormat: unkey?.format ?? null,
    });
    const retired = await tx.updateCredential(old.id, { replacedBy: replacement.id });
    await tx.audit(
      auditEntry(ctx, {
        projectId,
        action: `${kind}.rotated`,
        targetType: kind,
        targetId: old.id,
        changes: { replacedBy: { before: null, after: replacement.id }, revokedAt: { before: null, after: retireAt.toISOString() } },
      }),
    );
    await tx.emit(credentialEvent(kind, 'rotated', projectId, toCredentialView(retired, now), { replacement: toCredentialView(replacement, now) }));
    return { credential: replacement, token: issued.token, oldPublicId: old.publicId };
  });
  await deps.bus.publish([oldPublicId, credential.publicId]);
  const result: IssuedCredential = { ...toCredentialView(credential, now), key: token };
  if (grace > 0) result.previousKeyExpiresAt = retireAt.toISOString();
  return result;
}
