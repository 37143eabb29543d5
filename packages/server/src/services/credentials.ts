import type { CredentialRef, CredentialView, Ctx } from '@elyzor/core';
import type { Deps } from '../deps.js';
import { credentialUsage, credentialUsageByDay, type CredentialUsage } from '../store/credentials.js';

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

  /** A heavy read, admitted before anything else (see HeavyReads). */
  async usageByDay(
    ctx: Ctx,
    userId: string,
    ref: CredentialRef,
    days: number,
  ): Promise<{ id: string; range: string; days: Array<{ date: string; count: number; errors: number }> }> {
    return this.deps.heavyReads.admit(userId, async (query) => {
      const credential = await this.deps.credentials.get({ ctx, input: ref });
      await this.deps.usage.flush();
      const since = new Date(this.deps.clock.now() - days * 86_400_000);
      return { id: credential.id, range: `${days}d`, days: await query((db) => credentialUsageByDay(db, credential.id, since)) };
    });
  }
}
