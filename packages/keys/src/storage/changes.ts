/** The listeners of a store's `onChange`: told the digest of every key the store changes or deletes. */
export class ChangeFeed {
  private readonly listeners = new Set<(keyHash: string) => void>();

  subscribe(listener: (keyHash: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(keyHash: string): void {
    for (const listener of this.listeners) listener(keyHash);
  }
}

/**
 * Whether a metadata update can change what `verify` answers. `lastUsedAt` alone cannot, so
 * usage tracking never empties the cache it is meant to spare.
 */
export function affectsVerification(metadata: object): boolean {
  return Object.keys(metadata).some((key) => key !== 'lastUsedAt');
}
