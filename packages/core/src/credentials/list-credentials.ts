import { credentialAction } from '../teams/actions.js';
import type { CredentialKind } from '../verify/record.js';
import { reachProject } from './authorize.js';
import type { Ctx } from './context.js';
import type { CredentialDeps } from './deps.js';
import { withLiveBalance } from './live-balance.js';
import type { CredentialFilters, Page, PageRequest } from './ports.js';
import { toCredentialView, type CredentialView } from './view.js';

export interface ListCredentialsInput {
  projectId: string;
  kind: CredentialKind;
  filters: CredentialFilters;
  page: PageRequest;
}

/** One page of a project's credentials of one kind, newest first, with live credit balances. */
export async function listCredentials(deps: CredentialDeps, { ctx, input }: { ctx: Ctx; input: ListCredentialsInput }): Promise<Page<CredentialView>> {
  await reachProject(ctx, input.projectId, (id, user) => deps.store.findProject(id, user), credentialAction('read', input.kind));
  const now = deps.clock.now();
  const result = await deps.store.listCredentials(input.projectId, input.kind, input.filters, input.page, now);
  const items = await Promise.all(result.items.map((credential) => withLiveBalance(deps, toCredentialView(credential, now), credential, now)));
  return { items, next: result.next };
}
