import type { Clock, CredentialCache, CredentialVerbs, Digester, ForeignKeys, generateCredential, Limiter, MemoryLimiter, Verifier } from '@elyzor/core';
import type { Redis } from 'ioredis';
import type { AccessTokens } from './auth/access-tokens.js';
import type { Config } from './config.js';
import type { VerifyGate } from './http/verify-gate.js';
import type { DB, Database } from './db/database.js';
import type { InvalidationBus } from './infra/bus.js';
import type { TokenDenylist } from './infra/denylist.js';
import type { Metrics } from './infra/metrics.js';
import type { HeavyReads } from './services/heavy-reads.js';
import type { RootKeyCache } from './services/root-key-cache.js';
import type { UsageBuffer } from './usage/usage-buffer.js';
import type { DeliveryPruner } from './webhooks/delivery-pruner.js';
import type { ExpiryMonitor } from './webhooks/expiry-monitor.js';
import type { SecretBox } from './webhooks/secret-box.js';
import type { WebhookWorker } from './webhooks/worker.js';

/** Everything the service is built from, created once at start-up (see `create-deps.ts`). */
export interface Deps {
  config: Config;
  clock: Clock;
  database: Database;
  db: DB;
  /** null with the embedded backends. */
  redis: Redis | null;
  cache: CredentialCache;
  bus: InvalidationBus;
  /** Authenticated root keys of this instance, dropped through `bus` when one is revoked, rotated or deleted. */
  rootKeyCache: RootKeyCache;
  /** Shared limits: per credential, per account (Redis when configured). */
  limiter: Limiter;
  /** Per-instance limits that guard this process: per-address gates. */
  localLimiter: MemoryLimiter;
  /** The per-address gate of the verify endpoints (on `localLimiter`). */
  verifyGate: VerifyGate;
  denylist: TokenDenylist;
  /** Prometheus metrics: the registry, and the verification counts the verify path records. */
  metrics: Metrics;
  usage: UsageBuffer;
  /** Stats, usage series and exports: bounded per user and in statement time. */
  heavyReads: HeavyReads;
  verifier: Verifier;
  /** Whether keys of Unkey's format exist here: /v1/verify looks strings of that form up only then. */
  foreignKeys: ForeignKeys;
  digest: Digester;
  accessTokens: AccessTokens;
  /** Makes new credential strings; injectable so tests can know a public id in advance. */
  generateCredential: typeof generateCredential;
  /** The engine's credential lifecycle over the SQL store: what the routes call. */
  credentials: CredentialVerbs;
  /** Seals webhook signing secrets at rest. */
  webhookSecrets: SecretBox;
  /** Delivers the webhook outbox (on a timer unless WEBHOOK_POLL_INTERVAL_MS=0). */
  webhookWorker: WebhookWorker;
  /** Emits expiry notices (on a timer unless EXPIRY_MONITOR_INTERVAL_MS=0). */
  expiryMonitor: ExpiryMonitor;
  /** Deletes finished deliveries past WEBHOOK_DELIVERY_RETENTION_DAYS (on a timer unless WEBHOOK_PRUNE_INTERVAL_MS=0). */
  deliveryPruner: DeliveryPruner;
}
