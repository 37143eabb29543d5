/**
 * Work asked for while the event loop goes through one round of I/O, done together: `add`
 * queues an input and, once the I/O callbacks of the current turn have queued everything they
 * will (setImmediate), `run` receives them all at once and answers each by position. Under load
 * this turns N round trips to a backend into one; a lone request waits only for the end of the
 * turn, not for a timer.
 *
 * Used for the verification path's two backend calls: reading credentials on cache misses, and
 * the Redis limiter's script runs.
 */
export class TurnBatch<In, Out> {
  private pending: Array<{ input: In; resolve: (output: Out) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    /** Does the work of a batch; must answer one output per input, in order. */
    private readonly run: (inputs: readonly In[]) => Promise<readonly Out[]>,
    /** The largest batch; a bigger burst becomes several batches, run at once. */
    private readonly maxBatch = 256,
    /**
     * The most batches running at once. Inputs added while that many run wait for one to end
     * and leave together then: a backend that serves one query at a time (PGlite's single
     * connection) or a pool of a few gets a few large batches, not a queue of small ones.
     */
    private readonly maxInFlight = Number.POSITIVE_INFINITY,
  ) {}

  add(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => this.dispatch());
  }

  private dispatch(): void {
    this.scheduled = false;
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      void this.settle(batch);
    }
  }

  private async settle(batch: typeof this.pending): Promise<void> {
    let outputs: readonly Out[];
    try {
      outputs = await this.run(batch.map((item) => item.input));
      if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${outputs.length} answers`);
    } catch (error) {
      this.ended();
      for (const item of batch) item.reject(error);
      return;
    }
    this.ended();
    batch.forEach((item, i) => item.resolve(outputs[i] as Out));
  }

  /** A batch ended: what waited for it leaves at the end of this turn. */
  private ended(): void {
    this.inFlight--;
    if (this.pending.length > 0) this.schedule();
  }
}
