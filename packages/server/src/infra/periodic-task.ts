/**
 * Background work inside the service on a timer: passes never overlap (a pass asked for while
 * one runs shares it), a failed pass is logged and the next one runs on time, `stop` waits for
 * the pass in flight. The webhook worker, the expiry monitor and the delivery pruner are such
 * tasks (each gives its `pass`); tests call `runOnce`.
 */
export abstract class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  protected constructor(
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** One pass of the work; answers how much it did (what `runOnce` answers). */
  protected abstract pass(): Promise<number>;

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      void this.runOnce().catch(this.onError);
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass, or the one already running; answers what the pass answers. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
