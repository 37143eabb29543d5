import { credentialAction } from '../teams/actions.js';
import { ElyzorError, notFound } from '../errors.js';
import { credentialEvent } from '../webhooks/events.js';
import { auditEntry } from './audit-entry.js';
import { isUuid, reachProject } from './authorize.js';
import type { Ctx } from './context.js';
import type { CredentialDeps } from './deps.js';
import { credentialNoun, type CredentialRef } from './get-credential.js';
import { toCredentialView } from './view.js';

export interface RevokeCredentialInput extends CredentialRef {
  reason?: string | undefined;
}

/** Soft revocation: the record stays, listed as revoked; verification refuses it on the very next request. */
export async function revokeCredential(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: RevokeCredentialInput }): Promise<void> {
  const { projectId, kind, id } = input;
  const reason = input.reason ?? null;
  const publicId = await deps.store.transaction(async (tx) => {
    await reachProject(ctx, projectId, (id, user) => tx.lockProject(id, user), credentialAction('revoke', kind));
    if (!isUuid(id)) throw notFound(credentialNoun(kind));
    const credential = await tx.lockCredential(projectId, kind, id);
    if (credential === undefined) throw notFound(credentialNoun(kind));
    const now = deps.clock.now();
    if (credential.revokedAt !== null && credential.revokedAt.getTime() <= now) throw new ElyzorError('already_revoked', `${credentialNoun(kind)} is already revoked`);
    const revokedAt = new Date(now);
    const revoked = await tx.updateCredential(id, { revokedAt, revokeReason: reason });
    await tx.audit(
      auditEntry(ctx, {
        projectId,
        action: `${kind}.revoked`,
        targetType: kind,
        targetId: id,
        changes: {
          revokedAt: { before: credential.revokedAt?.toISOString() ?? null, after: revokedAt.toISOString() },
          revokeReason: { before: credential.revokeReason, after: reason },
        },
      }),
    );
    await tx.emit(credentialEvent(kind, 'revoked', projectId, toCredentialView(revoked, now)));
    return credential.publicId;
  });
  await deps.bus.publish([publicId]);
}
