import { credentialAction } from '../teams/actions.js';
import { ElyzorError, notFound } from '../errors.js';
import { credentialEvent } from '../webhooks/events.js';
import { auditEntry } from './audit-entry.js';
import { isUuid, reachProject } from './authorize.js';
import type { Ctx } from './context.js';
import { credentialStatus, type Credential, type CredentialPatch } from './credential.js';
import { uniqueName } from './create-credential.js';
import type { CredentialDeps } from './deps.js';
import { credentialNoun, type CredentialRef } from './get-credential.js';
import { diff, validatePolicy, type PolicyInput } from './policy.js';
import type { CredentialTx } from './ports.js';
import { auditable, toCredentialView, type CredentialView } from './view.js';

export interface UpdateCredentialInput extends CredentialRef {
  changes: PolicyInput & { label?: string | null; name?: string };
}

/**
 * Audits an update, enabling and disabling as such and every other change as `updated`, and
 * emits its events: `disabled` for a disabling, `updated` for any other change (enabling
 * included, as the catalogue has no `enabled` event). An update that changes nothing emits nothing.
 */
async function recordChange(tx: CredentialTx, ctx: Ctx, before: Credential, after: Credential, now: number): Promise<void> {
  const view = toCredentialView(after, now);
  const changes = diff(auditable(toCredentialView(before, now)), auditable(view));
  const { enabled, ...rest } = changes;
  const base = { projectId: before.projectId, targetType: before.kind, targetId: before.id } as const;
  if (enabled !== undefined) {
    await tx.audit(auditEntry(ctx, { ...base, action: `${before.kind}.${after.enabled ? 'enabled' : 'disabled'}`, changes: { enabled } }));
  }
  if (Object.keys(rest).length > 0) await tx.audit(auditEntry(ctx, { ...base, action: `${before.kind}.updated`, changes: rest }));
  const disabled = enabled !== undefined && !after.enabled;
  if (disabled) await tx.emit(credentialEvent(before.kind, 'disabled', before.projectId, view, { changes }));
  if (Object.keys(rest).length > 0 || (enabled !== undefined && !disabled)) await tx.emit(credentialEvent(before.kind, 'updated', before.projectId, view, { changes }));
}

/** Changes a credential's label or name and policy (PATCH: only the fields given). A revoked one cannot change. */
export async function updateCredential(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: UpdateCredentialInput }): Promise<CredentialView> {
  const { projectId, kind, id } = input;
  const { label, name, ...policyInput } = input.changes;
  const now = deps.clock.now();
  const { credential, publicId } = await uniqueName(() =>
    deps.store.transaction(async (tx) => {
      await reachProject(ctx, projectId, (id, user) => tx.lockProject(id, user), credentialAction('update', kind));
      if (!isUuid(id)) throw notFound(credentialNoun(kind));
      if (kind === 'key' && name !== undefined) throw new ElyzorError('validation_error', 'API keys have a label, not a name');
      if (kind === 'service' && label !== undefined) throw new ElyzorError('validation_error', 'Services have a name, not a label');
      const before = await tx.lockCredential(projectId, kind, id);
      if (before === undefined) throw notFound(credentialNoun(kind));
      if (credentialStatus(before, now) === 'revoked') throw new ElyzorError('already_revoked', `${credentialNoun(kind)} is revoked and can no longer change`);
      const patch: CredentialPatch = { ...validatePolicy(policyInput, now), ...(label !== undefined ? { label } : {}), ...(name !== undefined ? { name } : {}) };
      const after = Object.keys(patch).length === 0 ? before : await tx.updateCredential(id, patch);
      await recordChange(tx, ctx, before, after, now);
      return { credential: after, publicId: before.publicId };
    }),
  );
  await deps.bus.publish([publicId]);
  return toCredentialView(credential, now);
}
