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
import { auditable, CREDENTIAL_TYPE, toCredentialView, type IssuedCredential } from './view.js';

export interface CreateCredentialInput extends PolicyInput {
  projectId: string;
  kind: CredentialKind;
  /** API keys only. */
  label?: string | undefined;
  /** Services only (required for them by the wire schema). */
  name?: string | undefined;
  environment?: Environment | undefined;
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
  const { projectId, kind, label, name, environment, ...policyInput } = input;
  const now = deps.clock.now();
  const issued = deps.generate(CREDENTIAL_TYPE[kind], environment ?? 'live');
  const created = await uniqueName(() =>
    deps.store.transaction(async (tx) => {
      await reachProject(ctx, projectId, (id, user) => tx.lockProject(id, user), credentialAction('create', kind));
      // After authorization: a project out of reach is a 404 whatever the body says.
      const policy = validatePolicy(policyInput, now);
      const credential = await tx.insertCredential({
        projectId,
        kind,
        environment: issued.environment,
        publicId: issued.publicId,
        digest: deps.digest(issued.token),
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
  await deps.bus.publish([issued.publicId]);
  return { ...toCredentialView(created, now), key: issued.token };
}
