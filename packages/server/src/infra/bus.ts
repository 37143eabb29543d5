/**
 * Carries "these credentials changed" to every instance so each drops its cached copies. The
 * local bus serves one process; `RedisBus` (redis-bus.ts) fans out through Redis pub/sub.
 */
export interface InvalidationBus {
  /** Announce changed credentials by public id. Local subscribers are called before it resolves. */
  publish(publicIds: readonly string[]): Promise<void>;
  subscribe(handler: (publicIds: readonly string[]) => void): void;
  /**
   * null when every message is handled as it is published (one process); otherwise a promise of
   * true once every message peers published before this call has been handled here, or of false
   * when that cannot be known (peers unreachable): then no cached copy may be trusted.
   */
  caughtUp(): Promise<boolean> | null;
  /** Called when messages may have been lost (the connection to peers was interrupted). */
  onGap(handler: () => void): void;
  close(): Promise<void>;
}

export class LocalBus implements InvalidationBus {
  private readonly handlers: Array<(publicIds: readonly string[]) => void> = [];

  publish(publicIds: readonly string[]): Promise<void> {
    for (const handler of this.handlers) handler(publicIds);
    return Promise.resolve();
  }

  subscribe(handler: (publicIds: readonly string[]) => void): void {
    this.handlers.push(handler);
  }

  caughtUp(): null {
    return null;
  }

  onGap(): void {
    // In one process nothing can be missed.
  }

  close(): Promise<void> {
    this.handlers.length = 0;
    return Promise.resolve();
  }
}
