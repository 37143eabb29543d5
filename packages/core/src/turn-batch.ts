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

  constructor(
    /** Does the work of a batch; must answer one output per input, in order. */
    private readonly run: (inputs: readonly In[]) => Promise<readonly Out[]>,
    /** The largest batch; a bigger burst becomes several batches, run at once. */
    private readonly maxBatch = 256,
  ) {}

  add(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    this.scheduled = false;
    const waiting = this.pending;
    this.pending = [];
    for (let at = 0; at < waiting.length; at += this.maxBatch) void this.settle(waiting.slice(at, at + this.maxBatch));
  }

  private async settle(batch: typeof this.pending): Promise<void> {
    let outputs: readonly Out[];
    try {
      outputs = await this.run(batch.map((item) => item.input));
      if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${outputs.length} answers`);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => item.resolve(outputs[i] as Out));
  }
}
