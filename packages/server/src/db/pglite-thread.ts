import { Worker } from 'node:worker_threads';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

interface Reply {
  id?: number;
  type?: 'ready';
  rows?: unknown[];
  affectedRows?: number;
  error?: { message: string; code?: string };
  dump?: Uint8Array;
}

/** The worker script, found from `src/db` and from `dist/db` alike. */
const WORKER_URL = new URL('../../worker/pglite-worker.mjs', import.meta.url);

/**
 * PGlite in a worker thread, behind the pool interface Kysely's PostgresDialect expects. As
 * with in-thread PGlite there is one connection: a client is handed to one user at a time, so a
 * transaction is never interleaved with another caller's queries.
 */
export class PGliteThreadPool implements PostgresPool {
  /** Whether the one connection is handed out. */
  private busy = false;
  /** Who waits for it: the priority lane is served first (verify lookups, the health ping). */
  private readonly waiting: { priority: Array<() => void>; normal: Array<() => void> } = { priority: [], normal: [] };
  private closed: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('PGlite is closed')));
  }

  /**
   * Starts the thread and waits until the database is open: on disk under `dataDir`, or in
   * memory — empty, or restored from `template` (what `dump` of another gave); on disk, a
   * `template` is restored into the empty `dataDir` (PGlite refuses it over an existing cluster).
   */
  static async start(dataDir: string | undefined, template?: Uint8Array): Promise<PGliteThreadPool> {
    const worker = new Worker(WORKER_URL, { workerData: { dataDir, template } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (reply: Reply): void => {
        if (reply.type === 'ready') {
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    return new PGliteThreadPool(worker);
  }

  connect(): Promise<PostgresPoolClient> {
    return this.acquire('normal');
  }

  /**
   * The same connection, through a lane that goes ahead of every caller waiting on `connect`:
   * a verification's lookup or the health probe waits for at most the statement (or
   * transaction) in progress, never for a queue of management reads.
   */
  priorityLane(): PostgresPool {
    return {
      connect: () => this.acquire('priority'),
      // The pool is ended once, by its owner (the normal lane).
      end: async () => undefined,
    };
  }

  private async acquire(lane: 'priority' | 'normal'): Promise<PostgresPoolClient> {
    if (this.busy) {
      await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    }
    this.busy = true;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const next = this.waiting.priority.shift() ?? this.waiting.normal.shift();
      // Handed straight to the next waiter: `busy` stays true.
      if (next !== undefined) next();
      else this.busy = false;
    };
    const client = {
      query: async <R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
        const reply = await this.send({ sql, params: parameters });
        if (reply.error !== undefined) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
        const rows = (reply.rows ?? []) as R[];
        const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SELECT';
        return { command: command as PostgresQueryResult<R>['command'], rowCount: reply.affectedRows ?? rows.length, rows };
      },
      release,
    };
    return client as unknown as PostgresPoolClient;
  }

  /** The whole database as a tarball, once the statement in progress is done: a template for `start`. */
  async dump(): Promise<Uint8Array> {
    const client = await this.acquire('normal');
    try {
      const reply = await this.send({ type: 'dump' });
      if (reply.error !== undefined || reply.dump === undefined) throw new Error(`PGlite dump failed: ${reply.error?.message ?? 'no data'}`);
      return reply.dump;
    } finally {
      client.release();
    }
  }

  end(): Promise<void> {
    this.closed ??= this.close();
    return this.closed;
  }

  private async close(): Promise<void> {
    // After whoever holds or waits for the connection.
    const client = await this.acquire('normal');
    client.release();
    await this.send({ type: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private send(message: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
