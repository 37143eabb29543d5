import { CredentialCache, ForeignKeys, MemoryLimiter, TurnBatch, Verifier, createDigester, credentialVerbs, generateCredential, systemClock, type Clock, type CredentialRecord, type Limiter } from '@elyzor/core';
import { Redis } from 'ioredis';
import { AccessTokens } from './auth/access-tokens.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import type { Deps } from './deps.js';
import { VerifyGate } from './http/verify-gate.js';
import { LocalBus, type InvalidationBus } from './infra/bus.js';
import { SqlDenylist, type TokenDenylist } from './infra/denylist.js';
import { RedisBus } from './infra/redis-bus.js';
import { LayeredDenylist } from './infra/layered-denylist.js';
import { Metrics } from './infra/metrics.js';
import { backendHealth } from './infra/backend-health.js';
import { RedisDenylist } from './infra/redis-denylist.js';
import { HeavyReads } from './services/heavy-reads.js';
import { RootKeyCache } from './services/root-key-cache.js';
import { FallbackLimiter } from './infra/fallback-limiter.js';
import { LIMITER_COMMAND, RedisLimiter } from './infra/redis-limiter.js';
import { SqlCredentialStore } from './store/sql-credential-store.js';
import { writeUsage } from './store/usage.js';
import { UsageBuffer, type UsageBufferLogger } from './usage/usage-buffer.js';
import { DeliveryPruner } from './webhooks/delivery-pruner.js';
import { ExpiryMonitor } from './webhooks/expiry-monitor.js';
import { SecretBox } from './webhooks/secret-box.js';
import { WebhookWorker } from './webhooks/worker.js';

/** Root keys are few (a workspace's machines); the bound keeps a flood of distinct valid ones from growing memory. */
const ROOT_KEY_CACHE_MAX_ENTRIES = 10_000;

export interface CreateDepsOptions {
  logger: UsageBufferLogger & { info(obj: object, msg: string): void };
  clock?: Clock;
  /** Keep the embedded database in memory instead of under DATA_DIR (tests). */
  inMemory?: boolean;
  /** Prefix of every Redis key and channel; tests use a fresh one for isolation. */
  redisPrefix?: string;
  /** With `inMemory`: the embedded database starts from this dump (tests; see `Database.dump`). */
  databaseTemplate?: Uint8Array;
}

export interface OwnedDeps extends Deps {
  /** Flushes usage and closes every connection; what graceful shutdown calls last. */
  close(): Promise<void>;
}

function connectRedis(url: string, timeoutMs: number, log: CreateDepsOptions['logger']): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    // The limiter's script runs are batched already and must not queue behind each other.
    autoPipeliningIgnoredCommands: [LIMITER_COMMAND],
    // Fail fast while disconnected instead of queueing: the limiter falls back, health reports.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    // A Redis that hangs (rather than refusing connections) must not hang requests with it.
    commandTimeout: timeoutMs,
    // Keep trying to reconnect, at most every 2 s.
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
  });
  // One log line per outage, through the service's logger (ioredis would print raw traces).
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.error({ err: error }, 'Redis connection failed; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({}, 'Redis connection is back');
    down = false;
  });
  return redis;
}

/** Builds every dependency once, from the configuration. Fails (and cleans up) if a backend is unreachable. */
export async function createDeps(config: Config, options: CreateDepsOptions): Promise<OwnedDeps> {
  if (config.jwtSecret === undefined) throw new Error('JWT_SECRET is not set');
  const clock = options.clock ?? systemClock;
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: options.inMemory === true ? undefined : config.dataDir,
    poolSize: config.database.poolSize,
    priorityPoolSize: config.database.priorityPoolSize,
    template: options.databaseTemplate,
  });
  const prefix = options.redisPrefix ?? 'elyzor:';
  let redis: Redis | null = null;
  let subscriber: Redis | null = null;
  let limiter: Limiter;
  let bus: InvalidationBus;
  let denylist: TokenDenylist;
  try {
    if (config.redisUrl !== undefined) {
      redis = connectRedis(config.redisUrl, config.redisFailure.timeoutMs, options.logger);
      subscriber = connectRedis(config.redisUrl, config.redisFailure.timeoutMs, options.logger);
      await Promise.all([redis.connect(), subscriber.connect()]);
      limiter = new FallbackLimiter(new RedisLimiter(redis, { prefix }), new MemoryLimiter(clock), clock, config.redisFailure, options.logger);
      bus = new RedisBus(redis, subscriber, { prefix });
      // PostgreSQL (or PGlite) holds every denial; Redis answers checks while it is reachable.
      const layered = new LayeredDenylist(new SqlDenylist(database.db, clock), new RedisDenylist(redis, { prefix, clock }), clock, { retryMs: config.redisFailure.openMs });
      // A Redis that restarted between two checks fails no command, yet may have lost denials.
      redis.on('close', () => layered.fastPathLost());
      denylist = layered;
    } else {
      limiter = new MemoryLimiter(clock);
      bus = new LocalBus();
      denylist = new SqlDenylist(database.db, clock);
    }
  } catch (error) {
    redis?.disconnect();
    subscriber?.disconnect();
    await database.close();
    throw error;
  }

  const db = database.db;
  const store = new SqlCredentialStore(db, clock, database.priority);
  // Keys not of Elyzor's format (Unkey's): known from the store now, then from the bus, which
  // carries every creation's lookup id; a gap in the bus asks the store again.
  let foreignKeys: ForeignKeys;
  try {
    foreignKeys = new ForeignKeys(await store.holdsForeignKeys());
  } catch (error) {
    redis?.disconnect();
    subscriber?.disconnect();
    await database.close();
    throw error;
  }
  bus.subscribe((publicIds) => foreignKeys.changed(publicIds));
  bus.onGap(() => {
    store.holdsForeignKeys().then(
      (held) => {
        if (held) foreignKeys.seen();
      },
      (error: unknown) => {
        // Unsure: look such strings up, as before this instance knew better.
        foreignKeys.seen();
        options.logger.warn({ err: error }, "could not read whether keys of Unkey's format exist; looking them up");
      },
    );
  });
  const localLimiter = new MemoryLimiter(clock);
  const cache = new CredentialCache(clock, {
    ttlMs: config.cache.ttlSeconds * 1000,
    negativeTtlMs: config.cache.negativeTtlSeconds * 1000,
    maxEntries: config.cache.maxEntries,
  });
  // Root keys live as long as credentials in memory (CACHE_TTL_SECONDS), on the same bus.
  const rootKeyCache = new RootKeyCache(clock, { ttlMs: config.cache.ttlSeconds * 1000, maxEntries: Math.min(config.cache.maxEntries, ROOT_KEY_CACHE_MAX_ENTRIES) });
  bus.subscribe((publicIds) => {
    cache.invalidate(publicIds);
    rootKeyCache.invalidate(publicIds);
  });
  bus.onGap(() => {
    cache.clear();
    rootKeyCache.clear();
  });
  const usage = new UsageBuffer((buckets) => writeUsage(db, buckets, { failureBurstPerMinute: config.webhooks.failureBurstPerMinute }), config.usage, options.logger);
  usage.start();
  const digest = createDigester(config.keyPepper);
  // Cache misses arriving together are read with one query (the cache already makes concurrent
  // misses on one id share a single load). They go through the priority pool (the store's
  // lookups): a verification never waits behind management reads for a connection. No more
  // queries run at once than that pool has connections (PGlite: one); misses arriving meanwhile
  // go together in the next one, so a burst of misses is a few large reads, not a queue of small ones.
  const lookups = new TurnBatch<string, CredentialRecord | null>(
    async (publicIds) => {
      const found = await store.findRecords(publicIds);
      return publicIds.map((id) => found.get(id) ?? null);
    },
    256,
    database.driver === 'pglite' ? 1 : config.database.priorityPoolSize,
  );
  const verifier = new Verifier({
    lookup: (publicId) => lookups.add(publicId),
    cache,
    limiter,
    usage,
    clock,
    digest,
    defaultRateLimit: config.rateLimit,
    foreignKeys,
  });

  // The verbs read `deps.generateCredential` at each call, so tests can plan a public id.
  const credentials = credentialVerbs({ store, bus, clock, digest, limiter, generate: (type, environment) => deps.generateCredential(type, environment) });
  const webhookSecrets = new SecretBox(config.webhooks.secretKey ?? config.jwtSecret);
  const metrics = new Metrics({ cache, usage, limiter, denylist, backends: () => backendHealth({ database, redis }) });
  const webhookWorker = new WebhookWorker(db, webhookSecrets, clock, config.webhooks, options.logger, Math.random, (result) => metrics.webhookDelivery(result));
  const expiryMonitor = new ExpiryMonitor(db, clock, config.webhooks.expiryIntervalMs, options.logger);
  if (config.webhooks.pollIntervalMs > 0) webhookWorker.start();
  const deliveryPruner = new DeliveryPruner(db, clock, { retentionDays: config.webhooks.deliveryRetentionDays, intervalMs: config.webhooks.pruneIntervalMs }, options.logger);
  if (config.webhooks.expiryIntervalMs > 0) expiryMonitor.start();
  if (config.webhooks.pruneIntervalMs > 0) deliveryPruner.start();
  const deps: OwnedDeps = {
    config,
    clock,
    database,
    db,
    redis,
    cache,
    bus,
    rootKeyCache,
    limiter,
    localLimiter,
    // Misses of addresses past their failure budget: batched per address, on the same store read.
    verifyGate: new VerifyGate(localLimiter, config.ipLimits, (publicIds) => store.findRecords(publicIds)),
    denylist,
    metrics,
    usage,
    heavyReads: new HeavyReads(db, config.heavyReads),
    verifier,
    foreignKeys,
    digest,
    generateCredential,
    credentials,
    webhookSecrets,
    webhookWorker,
    expiryMonitor,
    deliveryPruner,
    accessTokens: new AccessTokens(config.jwtSecret, config.accessTokenTtlSeconds, () => clock.now()),
    async close() {
      // Background work first: a delivery in flight is recorded (or, cut off, retried later).
      await webhookWorker.stop();
      await expiryMonitor.stop();
      await deliveryPruner.stop();
      await usage.close();
      await bus.close();
      await limiter.close();
      await localLimiter.close();
      await denylist.close();
      if (redis !== null) await redis.quit().catch(() => redis?.disconnect());
      if (subscriber !== null) await subscriber.quit().catch(() => subscriber?.disconnect());
      await database.close();
    },
  };
  return deps;
}
