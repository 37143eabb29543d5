/**
 * Configuration from the environment (a `.env` file is loaded by `main.ts` first). Parsing is
 * pure: `parseConfig(env)` returns the config or throws a `ConfigError` that names every
 * variable that is missing or wrong, so the process stops before it listens.
 */
export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** A postgres:// URL selects PostgreSQL; otherwise PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  /** Selects Redis for limits, the invalidation bus and the fast path of the token denylist. */
  redisUrl: string | undefined;
  /** Undefined outside production until `main.ts` generates or loads one from `dataDir`. */
  jwtSecret: string | undefined;
  logLevel: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * How long an exchanged refresh token, presented again, still gets the successor it was
   * exchanged for (a client retrying after a lost answer) instead of ending every session. 0 disables.
   */
  refreshReuseGraceSeconds: number;
  /** Optional HMAC pepper for credential digests. Changing it invalidates every credential. */
  keyPepper: string | undefined;
  rateLimit: { limit: number; windowSeconds: number };
  ipLimits: {
    auth: number;
    /**
     * Verifications per address per window, whatever they present; null (the default) = no
     * such limit. The calling address is usually the protected API's own, so a budget here
     * would cut a busy API off; the failure budget below is what stops guessing.
     */
    verify: number | null;
    /** Verifications with an unknown or malformed credential per address before it is refused. */
    verifyFailures: number;
    /** The most uncached, well-formed ids one store query of an address past its failure budget reads. */
    overBudgetBatch: number;
    /** The most such ids of one address waiting for (or in) that query; past it they are refused (429). */
    overBudgetQueue: number;
    /** Over-budget lookup queries in flight at once, all addresses together. */
    overBudgetQueries: number;
    windowSeconds: number;
  };
  /**
   * Requests each root key may make of `/v2` per window, across instances (the shared limiter);
   * null (the default) = no such budget. Past it, `/v2` answers Unkey's 429.
   */
  rootKeyRateLimit: { limit: number | null; windowSeconds: number };
  /** Failed logins per account per window before logins for that account are throttled. */
  loginAttemptsPerAccount: number;
  /** Transport limits of the HTTP server: slow clients and connection count. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
  /** false, true, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
  trustProxy: boolean | string | number;
  cache: { ttlSeconds: number; negativeTtlSeconds: number; maxEntries: number };
  usage: { flushIntervalMs: number; batchSize: number; maxBuffered: number };
  /** PostgreSQL pools: management (`poolSize`) and verify lookups + health (`priorityPoolSize`). */
  database: { poolSize: number; priorityPoolSize: number };
  /**
   * Reads whose cost grows with the data (stats, usage series, audit CSV export): at most
   * `perUser` at once per user on an instance, each statement bounded by `timeoutMs`.
   */
  heavyReads: { perUser: number; timeoutMs: number };
  workers: number;
  /**
   * Who may create an account: `open` (anyone) or `invite` (only an email holding a live
   * invitation, its token in the body; the very first account of an empty instance excepted).
   */
  signup: 'open' | 'invite';
  /** How long an invitation's token is valid. */
  invitationTtlSeconds: number;
  /** Optional: invitations (with their token) are POSTed here, for a mailer to send on. */
  invitationHookUrl: string | undefined;
  webhooks: {
    /** Lifts the egress check (https only, no private, loopback, link-local or metadata address): development and tests only. */
    allowPrivate: boolean;
    /** Keys the encryption of signing secrets at rest; undefined: derived from JWT_SECRET. */
    secretKey: string | undefined;
    timeoutMs: number;
    /** How often the delivery worker looks for due deliveries; 0 stops its timer (tests drive it). */
    pollIntervalMs: number;
    batchSize: number;
    /** How often the expiry monitor runs; 0 stops its timer (tests drive it). */
    expiryIntervalMs: number;
    /** Finished deliveries (delivered, or failed for good) are kept this many days after they finished, then pruned with their attempts. */
    deliveryRetentionDays: number;
    /** How often finished deliveries past the retention are pruned; 0 stops its timer (tests drive it). */
    pruneIntervalMs: number;
    /** Refused verifications of one project in one minute that make a `verification.failure_burst` event; 0: never. */
    failureBurstPerMinute: number;
  };
  /**
   * `GET /metrics` (Prometheus): a bearer token required when `token` is set; on a port of its
   * own (a plain node:http server on `host`) when `port` is set, otherwise a route of the app.
   */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  /**
   * The web dashboard at `/dashboard/` (`DASHBOARD=false` turns it off), served from `dir`
   * (`DASHBOARD_DIR`; default: the dashboard package's build next to this one).
   */
  dashboard: { enabled: boolean; dir: string | undefined };
  /** What verification does while Redis is unreachable. */
  redisFailure: { mode: 'fallback' | 'refuse'; timeoutMs: number; failureThreshold: number; openMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const nodeEnv = str('NODE_ENV') ?? 'development';
  const envName = nodeEnv === 'production' || nodeEnv === 'test' ? nodeEnv : 'development';
  const production = envName === 'production';

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const redisUrl = str('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  const jwtSecret = str('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');

  if (production) {
    const missing = [
      jwtSecret === undefined ? 'JWT_SECRET' : null,
      databaseUrl === undefined ? 'DATABASE_URL' : null,
      redisUrl === undefined ? 'REDIS_URL' : null,
    ].filter((name): name is string => name !== null);
    if (missing.length > 0) problems.push(`NODE_ENV=production requires ${missing.join(', ')} (missing)`);
  }

  const allowPrivateRaw = str('WEBHOOK_ALLOW_PRIVATE') ?? 'false';
  if (allowPrivateRaw !== 'true' && allowPrivateRaw !== 'false') problems.push('WEBHOOK_ALLOW_PRIVATE must be true or false');
  const webhookSecretKey = str('WEBHOOK_SECRET_KEY');
  if (webhookSecretKey !== undefined && webhookSecretKey.length < 32) problems.push('WEBHOOK_SECRET_KEY must be at least 32 characters');

  const metricsToken = str('METRICS_TOKEN');
  // It is compared against a bearer token, which the service reads up to 200 characters.
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,128}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN must be 16 to 128 printable characters without spaces');
  }
  const redisFailureMode = str('REDIS_FAILURE_MODE') ?? 'fallback';
  if (redisFailureMode !== 'fallback' && redisFailureMode !== 'refuse') problems.push('REDIS_FAILURE_MODE must be fallback or refuse');
  const signup = str('SIGNUP') ?? 'open';
  if (signup !== 'open' && signup !== 'invite') problems.push('SIGNUP must be open or invite');
  const invitationHookUrl = str('INVITATION_HOOK_URL');
  if (invitationHookUrl !== undefined && !/^https?:\/\//.test(invitationHookUrl)) problems.push('INVITATION_HOOK_URL must be an http:// or https:// URL');
  const trustProxyRaw = str('TRUST_PROXY');
  const trustProxy: boolean | string | number =
    trustProxyRaw === undefined || trustProxyRaw === 'false'
      ? false
      : trustProxyRaw === 'true'
        ? true
        : /^\d+$/.test(trustProxyRaw)
          ? Number(trustProxyRaw)
          : trustProxyRaw;

  // Replaced by the two settings of the batched over-budget lookups: a value set for it (0 meant
  // "only cached credentials past the budget") must not be dropped without a word.
  if (str('IP_RATE_LIMIT_VERIFY_OVER_BUDGET_LOOKUPS') !== undefined) {
    problems.push('IP_RATE_LIMIT_VERIFY_OVER_BUDGET_LOOKUPS is replaced by IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH and IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE (0 = only cached credentials verify past the budget)');
  }

  const dashboardRaw = str('DASHBOARD') ?? 'true';
  if (dashboardRaw !== 'true' && dashboardRaw !== 'false') problems.push('DASHBOARD must be true or false');

  const config: Config = {
    env: envName,
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    dataDir: str('DATA_DIR') ?? './data',
    databaseUrl,
    redisUrl,
    jwtSecret,
    logLevel: str('LOG_LEVEL') ?? (envName === 'test' ? 'silent' : 'info'),
    accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlSeconds: int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 300, 365 * 86_400),
    refreshReuseGraceSeconds: int('REFRESH_REUSE_GRACE_SECONDS', 5, 0, 60),
    keyPepper: str('KEY_PEPPER'),
    rateLimit: {
      limit: int('RATE_LIMIT_DEFAULT', 100, 1, 1_000_000_000),
      windowSeconds: int('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    },
    ipLimits: {
      auth: int('IP_RATE_LIMIT_AUTH', 60, 1, 1_000_000_000),
      verify: str('IP_RATE_LIMIT_VERIFY') === undefined ? null : int('IP_RATE_LIMIT_VERIFY', 0, 1, 1_000_000_000),
      verifyFailures: int('IP_RATE_LIMIT_VERIFY_FAILURES', 1000, 1, 1_000_000_000),
      overBudgetBatch: int('IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH', 500, 1, 10_000),
      overBudgetQueue: int('IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE', 5000, 0, 1_000_000),
      overBudgetQueries: int('IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUERIES', 4, 1, 100),
      windowSeconds: int('IP_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    },
    rootKeyRateLimit: {
      limit: str('ROOT_KEY_RATE_LIMIT') === undefined ? null : int('ROOT_KEY_RATE_LIMIT', 0, 1, 1_000_000_000),
      windowSeconds: int('ROOT_KEY_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    },
    loginAttemptsPerAccount: int('LOGIN_ATTEMPTS_PER_ACCOUNT', 10, 1, 1_000_000),
    http: {
      requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000),
      // Above the idle timeouts of common load balancers (60 s), so they close first.
      keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
      maxConnections: int('HTTP_MAX_CONNECTIONS', 10_000, 1, 10_000_000),
    },
    trustProxy,
    cache: {
      ttlSeconds: int('CACHE_TTL_SECONDS', 30, 0, 3600),
      negativeTtlSeconds: int('CACHE_NEGATIVE_TTL_SECONDS', 10, 0, 3600),
      maxEntries: int('CACHE_MAX_ENTRIES', 50_000, 0, 10_000_000),
    },
    usage: {
      flushIntervalMs: int('USAGE_FLUSH_INTERVAL_MS', 200, 10, 60_000),
      batchSize: int('USAGE_BATCH_SIZE', 2000, 1, 10_000),
      maxBuffered: int('USAGE_MAX_BUFFERED', 100_000, 100, 10_000_000),
    },
    database: {
      poolSize: int('DATABASE_POOL_SIZE', 10, 1, 1000),
      priorityPoolSize: int('DATABASE_PRIORITY_POOL_SIZE', 3, 1, 100),
    },
    heavyReads: {
      perUser: int('HEAVY_READS_PER_USER', 2, 1, 1000),
      timeoutMs: int('HEAVY_READ_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    workers: int('ELYZOR_WORKERS', 1, 1, 256),
    signup: signup === 'invite' ? 'invite' : 'open',
    invitationTtlSeconds: int('INVITATION_TTL_SECONDS', 7 * 86_400, 60, 90 * 86_400),
    invitationHookUrl,
    webhooks: {
      allowPrivate: allowPrivateRaw === 'true',
      secretKey: webhookSecretKey,
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_MS', 1000, 0, 3_600_000),
      batchSize: int('WEBHOOK_BATCH_SIZE', 50, 1, 1000),
      expiryIntervalMs: int('EXPIRY_MONITOR_INTERVAL_MS', 60_000, 0, 86_400_000),
      deliveryRetentionDays: int('WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 1, 3650),
      pruneIntervalMs: int('WEBHOOK_PRUNE_INTERVAL_MS', 3_600_000, 0, 86_400_000),
      failureBurstPerMinute: int('WEBHOOK_FAILURE_BURST_PER_MINUTE', 100, 0, 1_000_000_000),
    },
    metrics: {
      token: metricsToken,
      port: str('METRICS_PORT') === undefined ? undefined : int('METRICS_PORT', 0, 0, 65535),
      host: str('METRICS_HOST') ?? str('HOST') ?? '0.0.0.0',
    },
    dashboard: { enabled: dashboardRaw !== 'false', dir: str('DASHBOARD_DIR') },
    redisFailure: {
      mode: redisFailureMode === 'refuse' ? 'refuse' : 'fallback',
      timeoutMs: int('REDIS_TIMEOUT_MS', 500, 10, 60_000),
      failureThreshold: 3,
      openMs: int('REDIS_RETRY_AFTER_MS', 5000, 100, 600_000),
    },
  };
  if (config.metrics.port !== undefined && config.metrics.port !== 0 && config.metrics.port === config.port) {
    problems.push('METRICS_PORT must differ from PORT (leave it unset to serve /metrics on PORT)');
  }
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not be greater than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
