import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { InvalidationBus } from './bus.js';

type Handler = (publicIds: readonly string[]) => void;

/** How long `caughtUp` waits for Redis before it answers "unknown" (the caller then reads the database). */
const CATCH_UP_TIMEOUT_MS = 200;

export interface RedisBusOptions {
  /** Channel prefix; the channel is `<prefix>invalidate`. Default `elyzor:`. */
  prefix?: string;
}

/**
 * Invalidation bus over Redis pub/sub. A connection in subscriber mode can run nothing else,
 * hence two connections; neither is owned: `close()` only unsubscribes.
 *
 * Message: JSON `{"from": "<instance id>", "ids": ["<public id>", ...]}`. A bare JSON array of
 * ids is accepted too, so an operator tool can invalidate without an instance id. Pub/sub is
 * at-most-once (a message sent while a subscriber is reconnecting is lost), which is acceptable
 * here because cached credentials also expire on their own.
 */
export class RedisBus implements InvalidationBus {
  private readonly handlers: Handler[] = [];
  private readonly gapHandlers: Array<() => void> = [];
  private readonly channel: string;
  /** Tags our messages so that we skip their echo: local handlers already ran in `publish`. */
  private readonly instanceId = randomUUID();
  private readonly subscribed: Promise<void>;
  private readonly onMessage = (channel: string, message: string): void => this.receive(channel, message);
  /** The PING that callers of this turn share. */
  private catchUp: Promise<boolean> | null = null;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    options: RedisBusOptions = {},
  ) {
    this.channel = `${options.prefix ?? 'elyzor:'}invalidate`;
    subscriber.on('message', this.onMessage);
    // After the first connection, every new 'ready' follows a disconnection during which
    // messages may have been missed.
    let connected = subscriber.status === 'ready';
    subscriber.on('ready', () => {
      if (connected) for (const handler of this.gapHandlers) handler();
      connected = true;
    });
    this.subscribed = subscriber.subscribe(this.channel).then(() => undefined);
    // Whoever awaits `ready()` sees a failure; without this a bus nobody awaits would turn a
    // failed subscription into an unhandled rejection. ioredis resubscribes after reconnecting.
    this.subscribed.catch(() => undefined);
  }

  /** Resolves once the subscription is active; messages published before that are not seen. */
  ready(): Promise<void> {
    return this.subscribed;
  }

  async publish(publicIds: readonly string[]): Promise<void> {
    try {
      // Synchronously, before the first await: this instance sees the change at once.
      for (const handler of this.handlers) handler(publicIds);
    } finally {
      // Peers must hear of the change even if a local handler threw.
      if (publicIds.length > 0) {
        // The change is committed and applied here; a Redis outage must not turn it into an
        // error. Peers that miss the message clear their caches when they reconnect (onGap).
        await this.publisher.publish(this.channel, JSON.stringify({ from: this.instanceId, ids: publicIds })).catch(() => undefined);
      }
    }
  }

  subscribe(handler: Handler): void {
    this.handlers.push(handler);
  }

  /**
   * A PING on the subscriber connection, sent after the call: Redis answers it after every message
   * it has already written to that connection, so when it resolves, messages published before the
   * call have been handled. Callers of one event-loop turn share one PING.
   */
  caughtUp(): Promise<boolean> {
    this.catchUp ??= new Promise<boolean>((resolve) => {
      setImmediate(() => {
        this.catchUp = null;
        const timer = setTimeout(() => resolve(false), CATCH_UP_TIMEOUT_MS);
        this.subscriber.ping().then(
          () => {
            clearTimeout(timer);
            resolve(true);
          },
          () => {
            clearTimeout(timer);
            resolve(false);
          },
        );
      });
    });
    return this.catchUp;
  }

  onGap(handler: () => void): void {
    this.gapHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers.length = 0;
    this.subscriber.off('message', this.onMessage);
    if (this.subscriber.status !== 'end') await this.subscriber.unsubscribe(this.channel);
  }

  /** Runs inside ioredis's reply parsing: it must never throw. */
  private receive(channel: string, message: string): void {
    if (channel !== this.channel) return;
    const ids = parseMessage(message, this.instanceId);
    if (ids === undefined) return;
    for (const handler of this.handlers) {
      try {
        handler(ids);
      } catch {
        // A failing handler must not keep the others from dropping their copies.
      }
    }
  }
}

/** The ids of a peer's message; undefined for our own echo or anything malformed. */
function parseMessage(message: string, ownId: string): readonly string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (isIdList(value)) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { from, ids } = value as { from?: unknown; ids?: unknown };
  if (typeof from !== 'string' || from === ownId || !isIdList(ids)) return undefined;
  return ids;
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string');
}
