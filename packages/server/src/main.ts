#!/usr/bin/env node
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { buildApp, REDACT } from './app.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createDeps } from './create-deps.js';
import { settleTickShapes } from './infra/tick-shapes.js';

/**
 * Outside production a missing JWT_SECRET is generated once and kept in DATA_DIR, so sessions
 * survive a restart. In production the config parser has already refused to start without one.
 */
async function ensureJwtSecret(config: Config): Promise<Config> {
  if (config.jwtSecret !== undefined) return config;
  const dir = resolve(config.dataDir);
  const file = join(dir, 'jwt-secret');
  await mkdir(dir, { recursive: true });
  let secret: string;
  if (existsSync(file)) {
    secret = (await readFile(file, 'utf8')).trim();
  } else {
    secret = randomBytes(48).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return { ...config, jwtSecret: secret };
}

function loadEnvFile(): void {
  // `.env` fills in what the environment does not set; the environment wins.
  if (existsSync('.env')) process.loadEnvFile('.env');
}

async function startServer(config: Config, logger: pino.Logger): Promise<void> {
  await settleTickShapes();
  const deps = await createDeps(config, { logger });
  const app = await buildApp(deps, { logger });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and flushing usage');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    hardStop.unref();
    try {
      await app.close();
      await deps.close();
      logger.info({ usageWritten: deps.usage.written, usageDropped: deps.usage.dropped }, 'stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info(
    { address, database: deps.database.driver, redis: deps.redis === null ? 'disabled' : 'enabled', pid: process.pid },
    `Elyzor listening on ${address}`,
  );
}

async function main(): Promise<void> {
  loadEnvFile();
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, redact: REDACT });
  const workersFlag = process.argv.find((arg) => arg.startsWith('--workers='));
  const workers = workersFlag !== undefined ? Number(workersFlag.split('=')[1]) : config.workers;
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write('--workers must be a positive integer\n');
    process.exit(1);
  }
  if (workers > 1 && cluster.isPrimary) {
    if (config.redisUrl === undefined || config.databaseUrl === undefined) {
      process.stderr.write('Several workers share limits and invalidation through Redis and data through PostgreSQL: set REDIS_URL and DATABASE_URL\n');
      process.exit(1);
    }
    config = await ensureJwtSecret(config);
    // Workers must share one signing secret: hand the generated one down.
    const env = { JWT_SECRET: config.jwtSecret };
    for (let i = 0; i < workers; i++) cluster.fork(env);
    let stopping = false;
    const stop = (): void => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    cluster.on('exit', (worker, code) => {
      if (!stopping) {
        logger.error({ pid: worker.process.pid, code }, 'worker died; starting another');
        cluster.fork(env);
      } else if (Object.keys(cluster.workers ?? {}).length === 0) {
        process.exit(0);
      }
    });
    logger.info({ workers }, 'started workers');
    return;
  }
  config = await ensureJwtSecret(config);
  await startServer(config, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`Elyzor failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
