import { credentialAction } from '../teams/actions.js';
import { notFound } from '../errors.js';
import type { CredentialKind } from '../verify/record.js';
import { isUuid, reachProject, type ProjectAction } from './authorize.js';
import type { Ctx } from './context.js';
import type { Credential } from './credential.js';
import type { CredentialDeps } from './deps.js';
import { withLiveBalance } from './live-balance.js';
import { toCredentialView, type CredentialView } from './view.js';

export interface CredentialRef {
  projectId: string;
  kind: CredentialKind;
  id: string;
}

export const credentialNoun = (kind: CredentialKind): string => (kind === 'key' ? 'Key' : 'Service');

/** The stored credential, if the caller may read it; otherwise (or if absent) 404. */
export async function findCredential(deps: CredentialDeps, ctx: Ctx, ref: CredentialRef, action: ProjectAction = credentialAction('read', ref.kind)): Promise<Credential> {
  await reachProject(ctx, ref.projectId, (id, user) => deps.store.findProject(id, user), action);
  const credential = isUuid(ref.id) ? await deps.store.getCredential(ref.projectId, ref.kind, ref.id) : undefined;
  if (credential === undefined) throw notFound(credentialNoun(ref.kind));
  return credential;
}

/** One credential as answers show it, with its live credit balance. */
export async function getCredential(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: CredentialRef }): Promise<CredentialView> {
  const credential = await findCredential(deps, ctx, input);
  const now = deps.clock.now();
  return withLiveBalance(deps, toCredentialView(credential, now), credential, now);
}
