import type { CredentialRecord } from '@elyzor/core';

/** Reads many credentials by public id in one store query; an id not found is absent from the map. */
export type FindRecords = (publicIds: readonly string[]) => Promise<ReadonlyMap<string, CredentialRecord>>;

export interface OverBudgetLookupLimits {
  /** The most ids one store query reads. */
  batch: number;
  /** The most ids of one address waiting for, or in, a query; 0: nothing is looked up over budget. */
  queue: number;
  /** The most such queries in flight at once, all addresses together (each takes a connection of the lookup pool). */
  queries: number;
}

interface Waiting {
  publicId: string;
  resolve: (record: CredentialRecord | null) => void;
  reject: (error: unknown) => void;
}

/** One address's misses: those waiting, and how many the query in flight (at most one) reads. */
interface AddressQueue {
  ip: string;
  waiting: Waiting[];
  reading: number;
  scheduled: boolean;
  /** Waiting for one of the `queries` slots taken by other addresses. */
  parked: boolean;
}

/**
 * The store reads of addresses past their failure budget. Such an address is usually the
 * protected API itself, flooded with junk that has valid checksums (the checksum is public):
 * refusing its uncached ids for want of a slot would refuse real customers' keys with the junk.
 * So none is refused for that; their cost is bounded instead:
 *
 * - the misses of one address gathered during a turn of the event loop are read with one query
 *   (up to `batch` ids), and an address has at most one query in flight: the rest wait for it;
 * - all addresses together have at most `queries` in flight, so many flooding addresses cannot
 *   hold the lookup pool's connections: an address ready to read waits its turn, in order;
 * - at most `queue` ids of an address wait or are being read; only past that is an id refused
 *   (the verification is answered as unknown, 429 over budget);
 * - the cache in front (single flight, negative entries) sends each id here once, not once per
 *   request, and not again for `CACHE_NEGATIVE_TTL_SECONDS`.
 *
 * A flood from one address then costs the store one primary-key read of many ids at a time,
 * never a query per junk key, and never more than one of the pool's connections; floods from any
 * number of addresses never more than `queries` of them.
 */
export class OverBudgetLookups {
  private readonly queues = new Map<string, AddressQueue>();
  /** Addresses ready to read while every slot was taken, in the order they became ready. */
  private readonly parked: AddressQueue[] = [];
  private inFlight = 0;
  /** Store queries made, since start; for tests. */
  queries = 0;
  /** The most queries that were in flight at once, since start; for tests. */
  peakInFlight = 0;

  constructor(
    private readonly find: FindRecords,
    private readonly limits: OverBudgetLookupLimits,
  ) {}

  /**
   * The lookup an uncached id of this address is read with, or null when its queue is full. The
   * caller calls it at once (the check and the queueing happen in the same turn).
   */
  admit(ip: string): ((publicId: string) => Promise<CredentialRecord | null>) | null {
    const queue = this.queues.get(ip);
    const queued = queue === undefined ? 0 : queue.waiting.length + queue.reading;
    if (queued >= this.limits.queue) return null;
    return (publicId) => this.add(ip, publicId);
  }

  /** Ids of this address waiting for, or in, a query; for tests. */
  queued(ip: string): number {
    const queue = this.queues.get(ip);
    return queue === undefined ? 0 : queue.waiting.length + queue.reading;
  }

  private add(ip: string, publicId: string): Promise<CredentialRecord | null> {
    let queue = this.queues.get(ip);
    if (queue === undefined) {
      queue = { ip, waiting: [], reading: 0, scheduled: false, parked: false };
      this.queues.set(ip, queue);
    }
    const address = queue;
    return new Promise((resolve, reject) => {
      address.waiting.push({ publicId, resolve, reject });
      this.schedule(address);
    });
  }

  /** Reads the next batch once this turn has queued what it will, unless a read is in flight or waits for a slot. */
  private schedule(queue: AddressQueue): void {
    if (queue.scheduled || queue.reading > 0 || queue.parked) return;
    queue.scheduled = true;
    setImmediate(() => this.dispatch(queue));
  }

  private dispatch(queue: AddressQueue): void {
    queue.scheduled = false;
    if (queue.waiting.length === 0) return;
    if (this.inFlight >= this.limits.queries) {
      queue.parked = true;
      this.parked.push(queue);
      return;
    }
    const batch = queue.waiting.splice(0, this.limits.batch);
    queue.reading = batch.length;
    this.queries += 1;
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    const done = (): void => {
      queue.reading = 0;
      this.inFlight -= 1;
      // The slot goes to the address that has waited longest for one, then this one reads on.
      const next = this.parked.shift();
      if (next !== undefined) {
        next.parked = false;
        this.dispatch(next);
      }
      if (queue.waiting.length > 0) this.schedule(queue);
      else if (this.queues.get(queue.ip) === queue) this.queues.delete(queue.ip);
    };
    let reading: Promise<ReadonlyMap<string, CredentialRecord>>;
    try {
      reading = this.find(batch.map((item) => item.publicId));
    } catch (error) {
      reading = Promise.reject(error);
    }
    reading.then(
      (found) => {
        done();
        for (const item of batch) item.resolve(found.get(item.publicId) ?? null);
      },
      (error: unknown) => {
        done();
        for (const item of batch) item.reject(error);
      },
    );
  }
}
