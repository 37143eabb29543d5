import type { Clock } from '@elyzor/core';
import type { DB } from '../db/database.js';
import { PeriodicTask } from '../infra/periodic-task.js';
import { pruneFinishedDeliveries, pruneOrphanEvents } from '../store/webhook-retention.js';
import type { WorkerLogger } from './worker.js';

const DAY = 86_400_000;
/** Rows deleted per statement: each batch holds its row locks only for one short delete. */
const BATCH = 500;
/** Batches per pass at most: a backlog is worked off over several passes, never in one long one. */
const MAX_BATCHES = 200;

export interface DeliveryPrunerOptions {
  retentionDays: number;
  intervalMs: number;
}

/**
 * Bounds the delivery history: on a timer inside the service, deletes finished deliveries
 * (delivered, or failed for good) whose last attempt is older than `retentionDays`, with their
 * attempts, then the outbox events older than that which no delivery refers to any more.
 * Pending deliveries are never touched. Several instances may prune at once: the batches take
 * their rows with `skip locked`, so they share the work instead of waiting for each other.
 * All time comes from the injected clock; tests call `runOnce`.
 */
export class DeliveryPruner extends PeriodicTask {
  constructor(
    private readonly db: DB,
    private readonly clock: Clock,
    private readonly options: DeliveryPrunerOptions,
    private readonly log: WorkerLogger,
  ) {
    super(options.intervalMs, (error: unknown) => log.error({ err: error }, 'webhook delivery prune failed'));
  }

  /** One pass; answers how many deliveries it deleted. */
  protected async pass(): Promise<number> {
    const cutoff = new Date(this.clock.now() - this.options.retentionDays * DAY);
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const n = await pruneFinishedDeliveries(this.db, cutoff, BATCH);
      deleted += n;
      if (n < BATCH) break;
    }
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      if ((await pruneOrphanEvents(this.db, cutoff, BATCH)) < BATCH) break;
    }
    return deleted;
  }
}
