import { credentialNoun, isUuid, notFound, reachProject, type CredentialRef, type CredentialView, type Ctx } from '@elyzor/core';
import type { Deps } from '../deps.js';
import { credentialUsage, credentialUsageByDay, type CredentialUsage } from '../store/credentials.js';
import { findProjectRef } from '../store/projects.js';

/**
 * What the HTTP API shows of a credential beyond the engine's view of it: its usage, read from
 * the server's usage counts. Changes go through the engine's verbs (`deps.credentials`).
 */
export class CredentialUsageService {
  constructor(private readonly deps: Deps) {}

  /** The credential with its usage; buffered usage first, so lastUsedAt and the counts include this instance's latest. */
  async getWithUsage(ctx: Ctx, ref: CredentialRef): Promise<CredentialView & { usage: CredentialUsage }> {
    await this.deps.usage.flush();
    const view = await this.deps.credentials.get({ ctx, input: ref });
    return { ...view, usage: await credentialUsage(this.deps.db, view.id, new Date(this.deps.clock.now())) };
  }

  /** A heavy read, admitted before anything else (see HeavyReads); an analytics read (`read_analytics`). */
  async usageByDay(
    ctx: Ctx,
    callerId: string,
    ref: CredentialRef,
    days: number,
  ): Promise<{ id: string; range: string; days: Array<{ date: string; count: number; errors: number }> }> {
    return this.deps.heavyReads.admit(callerId, async (query) => {
      await reachProject(ctx, ref.projectId, (id, user) => findProjectRef(this.deps.db, id, undefined, user), 'read_analytics');
      const credential = isUuid(ref.id)
        ? await this.deps.db.selectFrom('credentials').select('id').where('id', '=', ref.id).where('project_id', '=', ref.projectId).where('kind', '=', ref.kind).executeTakeFirst()
        : undefined;
      if (credential === undefined) throw notFound(credentialNoun(ref.kind));
      await this.deps.usage.flush();
      const since = new Date(this.deps.clock.now() - days * 86_400_000);
      return { id: credential.id, range: `${days}d`, days: await query((db) => credentialUsageByDay(db, credential.id, since)) };
    });
  }
}
