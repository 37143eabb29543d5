import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MemoryLimiter, type FixedWindowRule, type LimitCheck, type LimitRule } from '@elyzor/core';
import { RedisBus } from '../src/infra/redis-bus.js';
import { RedisDenylist } from '../src/infra/redis-denylist.js';
import { RedisLimiter } from '../src/infra/redis-limiter.js';

const url = process.env.TEST_REDIS_URL;
// The embedded project runs without external servers; with TEST_REDIS_URL set these suites run in
// the real-backend project, where an unreachable Redis fails them (nothing here catches errors).
const skip = url === undefined || process.env.ELYZOR_TEST_BACKEND === 'embedded';

// One namespace per run of this file, so parallel runs against one Redis never share keys.
const root = `elyzor-test:${randomBytes(6).toString('hex')}:`;
let namespaces = 0;
const namespace = (): string => `${root}${++namespaces}:`;

const clients: Redis[] = [];

function connect(extra: RedisOptions = {}): Redis {
  if (url === undefined) throw new Error('TEST_REDIS_URL is not set');
  // Fail fast instead of retrying forever when Redis is down.
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, ...extra });
  clients.push(client);
  return client;
}

let main: Redis;

beforeAll(async () => {
  if (skip) return;
  main = connect();
  await main.ping();
});

afterAll(async () => {
  if (skip) return;
  if (main.status === 'ready') {
    const stream = main.scanStream({ match: `${root}*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) await main.del(...keys);
    }
  }
  for (const client of clients) {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  }
});

const HOUR = 3_600_000;
const sliding = (limit: number, windowMs = HOUR): LimitRule => ({ type: 'sliding_window', limit, windowMs });
const bucket = (limit: number, windowMs: number, burst: number): LimitRule => ({ type: 'token_bucket', limit, windowMs, burst });
function fixed(limit: number): FixedWindowRule {
  const now = Date.now();
  return { type: 'fixed_window', limit, windowStart: now - 1_000, windowEnd: now + HOUR };
}

describe.skipIf(skip)('RedisLimiter', () => {
  const limiter = (client: Redis = main): RedisLimiter => new RedisLimiter(client, { prefix: namespace() });

  it('decides exactly like MemoryLimiter at the same instant', async () => {
    // Redis's clock cannot be set, so the model follows it: each call reports the Redis time it
    // was decided at, and MemoryLimiter (the pure rules) replays the call at that time. Short
    // windows and pauses cross window boundaries and refill buckets along the way.
    const far = Date.now() + HOUR;
    const rules: Array<[string, LimitRule]> = [
      ['sw', sliding(5, 100)],
      ['sw2', sliding(3, 37)],
      ['tb', bucket(3, 100, 4)],
      ['tb2', bucket(7, 1_000, 3)],
      ['fw', { type: 'fixed_window', limit: 6, windowStart: far - HOUR, windowEnd: far }],
    ];
    const call = fc.record({
      picks: fc.uniqueArray(fc.nat({ max: rules.length - 1 }), { minLength: 1, maxLength: 3 }),
      cost: fc.integer({ min: 1, max: 3 }),
      pauseMs: fc.constantFrom(0, 0, 3, 15, 40, 110),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 25 }), async (calls) => {
        const redis = limiter();
        const clock = new ManualClock(0);
        const memory = new MemoryLimiter(clock);
        try {
          for (const { picks, cost, pauseMs } of calls) {
            if (pauseMs > 0) await sleep(pauseMs);
            const checks = picks.map((i): LimitCheck => {
              const [key, rule] = rules[i] ?? ['', sliding(1)];
              return { key, rule };
            });
            const { result, now } = await redis.consumeTimed(checks, cost);
            clock.set(now);
            expect(result).toEqual(memory.consumeSync(checks, cost));
          }
        } finally {
          await memory.close();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('calls made together leave in one run and are decided as if made one after another', async () => {
    // Fixed windows far from their end, so all calls fall in one window whatever the instant; the
    // run's Redis time is then given to MemoryLimiter, which replays the calls one by one.
    const far = Date.now() + HOUR;
    const rules: Array<[string, LimitRule]> = [
      ['a', { type: 'fixed_window', limit: 4, windowStart: far - HOUR, windowEnd: far }],
      ['b', { type: 'fixed_window', limit: 6, windowStart: far - HOUR, windowEnd: far }],
      ['c', { type: 'fixed_window', limit: 9, windowStart: far - HOUR, windowEnd: far }],
    ];
    const call = fc.record({
      picks: fc.uniqueArray(fc.nat({ max: rules.length - 1 }), { minLength: 1, maxLength: 3 }),
      cost: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 40 }), async (calls) => {
        const redis = limiter();
        const clock = new ManualClock(0);
        const memory = new MemoryLimiter(clock);
        const checksOf = ({ picks }: { picks: number[] }): LimitCheck[] =>
          picks.map((i): LimitCheck => {
            const [key, rule] = rules[i] ?? ['', sliding(1)];
            return { key, rule };
          });
        try {
          const together = await Promise.all(calls.map((c) => redis.consumeTimed(checksOf(c), c.cost)));
          // One run: one Redis instant for all of them.
          expect(new Set(together.map((t) => t.now)).size).toBe(1);
          clock.set(together[0]?.now ?? 0);
          const oneByOne = calls.map((c) => memory.consumeSync(checksOf(c), c.cost));
          expect(together.map((t) => t.result)).toEqual(oneByOne);
        } finally {
          await memory.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('sliding window: admits exactly the limit, counting down, then refuses with a wait', async () => {
    const redis = limiter();
    const checks = [{ key: 'k', rule: sliding(5) }];
    for (let expected = 4; expected >= 0; expected--) {
      const result = await redis.consume(checks, 1);
      expect(result.allowed).toBe(true);
      expect(result.decisions[0]?.remaining).toBe(expected);
    }
    for (let i = 0; i < 3; i++) {
      const result = await redis.consume(checks, 1);
      expect(result).toMatchObject({ allowed: false, failed: 0 });
      expect(result.decisions[0]?.remaining).toBe(0);
      expect(result.decisions[0]?.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('token bucket: admits the burst at once, then refuses', async () => {
    const redis = limiter();
    const checks = [{ key: 'k', rule: bucket(1, HOUR, 4) }];
    for (let expected = 3; expected >= 0; expected--) {
      const result = await redis.consume(checks, 1);
      expect(result.allowed).toBe(true);
      expect(result.decisions[0]).toMatchObject({ limit: 4, remaining: expected, retryAfterMs: 0 });
    }
    const refused = await redis.consume(checks, 1);
    expect(refused.allowed).toBe(false);
    expect(refused.decisions[0]?.retryAfterMs).toBeGreaterThan(0);
  });

  it('fixed window: admits the limit, then refuses until the window ends', async () => {
    const redis = limiter();
    const rule = fixed(3);
    const checks = [{ key: 'k', rule }];
    for (let i = 0; i < 3; i++) expect((await redis.consume(checks, 1)).allowed).toBe(true);
    const { result, now } = await redis.consumeTimed(checks, 1);
    expect(result.allowed).toBe(false);
    expect(result.decisions[0]).toMatchObject({ remaining: 0, resetAt: rule.windowEnd, retryAfterMs: rule.windowEnd - now });
  });

  it('spends nothing when any check refuses', async () => {
    const redis = limiter();
    const a = { key: 'a', rule: sliding(5) };
    const b = { key: 'b', rule: fixed(1) };
    expect((await redis.consume([b], 1)).allowed).toBe(true);
    const both = await redis.consume([a, b], 1);
    expect(both).toMatchObject({ allowed: false, failed: 1 });
    // The first check alone would have passed; it is reported, not spent.
    expect(both.decisions[0]).toMatchObject({ allowed: true, remaining: 4 });
    const after = await redis.consume([a], 1);
    expect(after.decisions[0]?.remaining).toBe(4);
  });

  it('spends `cost` units per call', async () => {
    const redis = limiter();
    const window = [{ key: 'w', rule: sliding(10) }];
    expect((await redis.consume(window, 3)).decisions[0]?.remaining).toBe(7);
    expect((await redis.consume(window, 3)).decisions[0]?.remaining).toBe(4);
    expect((await redis.consume(window, 3)).decisions[0]?.remaining).toBe(1);
    expect((await redis.consume(window, 3)).allowed).toBe(false);
    expect((await redis.consume(window, 1)).decisions[0]).toMatchObject({ allowed: true, remaining: 0 });

    const tokens = [{ key: 't', rule: bucket(1, HOUR, 5) }];
    expect((await redis.consume(tokens, 2)).decisions[0]?.remaining).toBe(3);
    expect((await redis.consume(tokens, 2)).decisions[0]?.remaining).toBe(1);
    expect((await redis.consume(tokens, 2)).allowed).toBe(false);
  });

  it('admits exactly the limit out of 500 concurrent calls', async () => {
    const redis = limiter();
    const checks = [{ key: 'hot', rule: sliding(100) }];
    const results = await Promise.all(Array.from({ length: 500 }, () => redis.consume(checks, 1)));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
  });

  it('admits exactly the limit out of 500 concurrent calls with auto-pipelining', async () => {
    const redis = limiter(connect({ enableAutoPipelining: true }));
    const checks = [{ key: 'hot', rule: sliding(100) }];
    const results = await Promise.all(Array.from({ length: 500 }, () => redis.consume(checks, 1)));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
  });

  it('close quits only a client it owns', async () => {
    const shared = connect();
    await new RedisLimiter(shared).close();
    expect(await shared.ping()).toBe('PONG');
    const ended = once(shared, 'end');
    await new RedisLimiter(shared, { ownsClient: true }).close();
    await within(ended, 2_000);
    expect(shared.status).toBe('end');
  });
});

async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing happened within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects a bus's deliveries; `next()` resolves with the next one. */
function recorder(bus: RedisBus): { calls: Array<readonly string[]>; next: () => Promise<readonly string[]> } {
  const calls: Array<readonly string[]> = [];
  let waiting: ((ids: readonly string[]) => void) | undefined;
  bus.subscribe((ids) => {
    calls.push(ids);
    const resolve = waiting;
    waiting = undefined;
    resolve?.(ids);
  });
  const next = (): Promise<readonly string[]> =>
    within(
      new Promise<readonly string[]>((resolve) => {
        waiting = resolve;
      }),
      2_000,
    );
  return { calls, next };
}

describe.skipIf(skip)('RedisBus', () => {
  async function pair(): Promise<{ a: RedisBus; b: RedisBus; publisher: Redis; channel: string }> {
    const prefix = namespace();
    const publisher = connect();
    const a = new RedisBus(publisher, connect(), { prefix });
    const b = new RedisBus(connect(), connect(), { prefix });
    await Promise.all([a.ready(), b.ready()]);
    return { a, b, publisher, channel: `${prefix}invalidate` };
  }

  it('calls local handlers before publish resolves and reaches the other instance', async () => {
    const { a, b } = await pair();
    const onA = recorder(a);
    const onB = recorder(b);
    const received = onB.next();
    const published = a.publish(['pk_1', 'pk_2']);
    expect(onA.calls).toEqual([['pk_1', 'pk_2']]);
    await published;
    expect(await received).toEqual(['pk_1', 'pk_2']);

    // Redis delivers a channel's messages in order, so once b's reply arrives at a, a's own echo
    // has come and gone: a's handler must not have run for it.
    const reply = onA.next();
    await b.publish(['pk_3']);
    expect(await reply).toEqual(['pk_3']);
    expect(onA.calls).toEqual([['pk_1', 'pk_2'], ['pk_3']]);
    await Promise.all([a.close(), b.close()]);
  });

  it('ignores malformed messages', async () => {
    const { b, publisher, channel } = await pair();
    const onB = recorder(b);
    const received = onB.next();
    for (const junk of ['not json', 'null', '42', '[1, 2]', '{"ids": ["x"]}', '{"from": "z", "ids": "x"}']) {
      await publisher.publish(channel, junk);
    }
    // A bare array (no sender) is valid; it arrives after the junk, which must have been dropped.
    await publisher.publish(channel, '["pk_9"]');
    expect(await received).toEqual(['pk_9']);
    expect(onB.calls).toEqual([['pk_9']]);
    await b.close();
  });

  it('close unsubscribes', async () => {
    const { a, b, publisher, channel } = await pair();
    await b.close();
    expect(await publisher.pubsub('NUMSUB', channel)).toEqual([channel, 1]);
    await a.close();
    expect(await publisher.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
  });
});

describe.skipIf(skip)('RedisDenylist', () => {
  const denylist = (): RedisDenylist => new RedisDenylist(main, { prefix: namespace() });

  it('remembers denied tokens until they expire', async () => {
    const list = denylist();
    await list.add('jti-1', new Date(Date.now() + 60_000));
    expect(await list.has('jti-1')).toBe(true);
    expect(await list.has('jti-2')).toBe(false);
  });

  it('does not store a token that has already expired', async () => {
    const list = denylist();
    await list.add('old', new Date(Date.now() - 1_000));
    expect(await list.has('old')).toBe(false);
  });

  it('drops an entry once its token has expired', async () => {
    const list = denylist();
    await list.add('short', new Date(Date.now() + 150));
    expect(await list.has('short')).toBe(true);
    await sleep(300);
    expect(await list.has('short')).toBe(false);
  });
});
