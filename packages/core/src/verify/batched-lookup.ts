/**
 * Cache misses that arrive together are read together: `load` queues the id and, once the
 * current turn of the event loop has queued everything it will, one `fetchMany` reads them all
 * (`where public_id = any($1)`). Under a burst of misses this turns N round trips, N query
 * plans and N result parses into one, which is what bounds the throughput of cold keys; a lone
 * miss waits only for the end of the turn (setImmediate), not a timer.
 *
 * The cache in front of it still makes concurrent misses on one id share a single load, so an
 * id appears at most once per batch.
 */
export class BatchedLookup<T> {
  private pending = new Map<string, Array<{ resolve: (value: T | null) => void; reject: (error: unknown) => void }>>();
  private scheduled = false;

  constructor(
    private readonly fetchMany: (ids: readonly string[]) => Promise<Map<string, T>>,
    /** The most ids one query carries; a larger burst becomes several queries, run at once. */
    private readonly maxBatch = 256,
  ) {}

  load(id: string): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(id);
      if (waiting !== undefined) waiting.push({ resolve, reject });
      else this.pending.set(id, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    let ids: string[] = [];
    for (const id of batch.keys()) {
      ids.push(id);
      if (ids.length === this.maxBatch) {
        this.run(ids, batch);
        ids = [];
      }
    }
    if (ids.length > 0) this.run(ids, batch);
  }

  private run(ids: readonly string[], batch: ReadonlyMap<string, Array<{ resolve: (value: T | null) => void; reject: (error: unknown) => void }>>): void {
    this.fetchMany(ids).then(
      (found) => {
        for (const id of ids) for (const waiter of batch.get(id) ?? []) waiter.resolve(found.get(id) ?? null);
      },
      (error: unknown) => {
        for (const id of ids) for (const waiter of batch.get(id) ?? []) waiter.reject(error);
      },
    );
  }
}
