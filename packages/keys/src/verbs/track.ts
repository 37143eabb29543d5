import type { Resolved } from '../config.js';

/**
 * `autoTrackUsage`: a successful verify marks its key used. Marks made during one turn of the
 * event loop are written together (one `lastUsedAt` write and one count per key), so a busy key
 * costs storage one write per turn, not one per request. Writes are fire-and-forget, as in
 * keypal; a failed write is dropped.
 */
export class UsageTracker {
  private pending = new Map<string, number>();
  private flushing: Promise<void> | null = null;

  constructor(private readonly deps: Pick<Resolved, 'storage' | 'usage' | 'clock'>) {}

  touch(id: string): void {
    this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
    if (this.flushing === null) this.flushing = new Promise((resolve) => setImmediate(() => resolve(this.write())));
  }

  /** Resolves once every mark made so far is written. */
  async flush(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const lastUsedAt = new Date(this.deps.clock.now()).toISOString();
    await Promise.all(
      [...batch].map(async ([id, n]) => {
        await Promise.all([
          this.deps.storage.updateMetadata(id, { lastUsedAt }).catch(() => undefined),
          this.deps.usage.add(id, n).catch(() => undefined),
        ]);
      }),
    );
    this.flushing = null;
    if (this.pending.size > 0) this.flushing = new Promise((resolve) => setImmediate(() => resolve(this.write())));
  }
}
