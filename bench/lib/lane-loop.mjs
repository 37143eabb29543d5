/**
 * An in-process loop through the verify lane: the very `VerifyLane`, `answerVerification`,
 * `Verifier`, cache, gate, limiter and usage buffer the server builds for the embedded backend,
 * with a memory store behind the cache, fed requests in the form a socket delivers them (method,
 * url, headers, one body chunk) and answered into a response object that only records what it is
 * given. What it leaves out is `node:http` itself (parsing and writing), which the baselines pay
 * exactly as Elyzor does.
 *
 *   node bench/lib/lane-loop.mjs <scenario> <iterations>
 *
 * scenario: hit (one valid key, cached), malformed (1,000 malformed strings, cycled), unknown
 * (1,000 well-formed unknown keys, cycled, all in the negative cache). Each run is warmed first
 * (WARMUP requests, so that the code is optimised before counting starts), then runs
 * `iterations` more; bench/instructions.mjs counts the instructions of runs of two lengths and
 * divides the difference, so start-up and warm-up cancel out. The clock is a manual one: cache
 * entries and limiter windows never roll over mid-run, so every run does the same work.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pino from 'pino';
import { VerifyBody } from '../../packages/contract/dist/index.js';
import {
  CredentialCache,
  ForeignKeys,
  ManualClock,
  MemoryCredentialStore,
  MemoryLimiter,
  Verifier,
  createDigester,
  credentialVerbs,
  generateCredential,
} from '../../packages/core/dist/index.js';
import { parseConfig } from '../../packages/server/dist/config.js';
import { trustProxyFunction } from '../../packages/server/dist/http/client-address.js';
import { createValidators } from '../../packages/server/dist/http/validators.js';
import { VerifyGate } from '../../packages/server/dist/http/verify-gate.js';
import { jsonBodyParser, VerifyLane } from '../../packages/server/dist/http/verify-lane.js';
import { UsageBuffer } from '../../packages/server/dist/usage/usage-buffer.js';
import { VerificationStats } from '../../packages/server/dist/infra/verification-stats.js';
import { malformedTokens } from './tokens.mjs';

export const WARMUP = 10_000;

/** The lane and its dependencies, built as `createDeps` and `buildApp` build them (embedded). */
export async function buildLane() {
  const config = parseConfig({
    NODE_ENV: 'development',
    JWT_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_DEFAULT: '1000000000',
    IP_RATE_LIMIT_VERIFY: '1000000000',
    IP_RATE_LIMIT_VERIFY_FAILURES: '1000000000',
  });
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const logger = pino({ level: 'info' }, { write: () => undefined });
  const store = new MemoryCredentialStore(clock);
  store.putProject({ id: '00000000-0000-4000-8000-000000000001', name: 'bench', ownerId: 'u1', workspaceId: '00000000-0000-4000-8000-000000000002' });
  store.putMember('00000000-0000-4000-8000-000000000002', 'u1', 'owner');
  const limiter = new MemoryLimiter(clock);
  const localLimiter = new MemoryLimiter(clock);
  const cache = new CredentialCache(clock, { ttlMs: config.cache.ttlSeconds * 1000, negativeTtlMs: config.cache.negativeTtlSeconds * 1000, maxEntries: config.cache.maxEntries });
  const usage = new UsageBuffer(() => Promise.resolve(), config.usage, logger);
  usage.start();
  const digest = createDigester(config.keyPepper);
  const lookup = async (publicId) => (await store.findRecords([publicId])).get(publicId) ?? null;
  // A deployment without keys of Unkey's format, as createDeps reads it from a store without any.
  const foreignKeys = new ForeignKeys(false);
  const verifier = new Verifier({ lookup, cache, limiter, usage, clock, digest, defaultRateLimit: config.rateLimit, foreignKeys });
  const bus = { publish: (ids) => Promise.resolve(cache.invalidate(ids)) };
  const credentials = credentialVerbs({ store, bus, clock, digest, limiter, generate: generateCredential });
  const deps = { config, clock, cache, bus, limiter, localLimiter, verifyGate: new VerifyGate(localLimiter, config.ipLimits), usage, verifier, digest, credentials, metrics: { verifications: new VerificationStats() } };
  const fastify = Fastify();
  const lane = new VerifyLane({
    deps,
    trust: trustProxyFunction(config.trustProxy),
    parseJson: jsonBodyParser(fastify.getDefaultJsonParser('error', 'error')),
    validate: createValidators().body.compile(VerifyBody),
    bodyLimit: 1024 * 1024,
    logger,
  });
  const issued = await credentials.create({ ctx: { actor: { type: 'user', userId: 'u1' } }, input: { projectId: '00000000-0000-4000-8000-000000000001', kind: 'key', scopes: ['read'] } });
  return { lane, key: issued.key ?? issued.token, deps };
}

const BODY = Buffer.from('{}');
const SOCKET = { remoteAddress: '127.0.0.1' };

/** A request as `node:http` hands it over: headers parsed, the body in one chunk. */
export function request(token) {
  return {
    method: 'POST',
    url: '/v1/verify',
    headers: { host: '127.0.0.1', authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '2' },
    socket: SOCKET,
    on(event, listener) {
      if (event === 'data') process.nextTick(listener, BODY);
      else if (event === 'end') process.nextTick(listener);
      return this;
    },
  };
}

/** Answers `requests` one after another through the lane; resolves with the statuses seen. */
export function drive(lane, requests, count) {
  const statuses = {};
  let i = 0;
  return new Promise((resolve) => {
    const res = {
      status: 0,
      writeHead(status) {
        this.status = status;
        return this;
      },
      end() {
        statuses[this.status] = (statuses[this.status] ?? 0) + 1;
        if (++i < count) next();
        else resolve(statuses);
      },
    };
    const next = () => {
      if (!lane.take(requests[i % requests.length], res)) throw new Error('the lane refused a plain verification');
    };
    next();
  });
}

export async function prepare(scenario) {
  const { lane, key } = await buildLane();
  let tokens;
  if (scenario === 'hit') tokens = [key];
  else if (scenario === 'malformed') tokens = malformedTokens(1000);
  else if (scenario === 'unknown') tokens = Array.from({ length: 1000 }, () => generateCredential('sk').token);
  else throw new Error(`unknown scenario ${scenario} (hit, malformed, unknown)`);
  const requests = tokens.map(request);
  return { run: (count) => drive(lane, requests, count) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [scenario = 'hit', iterations = '10000'] = process.argv.slice(2);
  const { run } = await prepare(scenario);
  const warm = await run(WARMUP);
  // Under bench/instructions.mjs (--expose-gc, a young generation large enough for the counted
  // iterations): start counting from a collected heap, so that no collection falls into one run
  // and not the other.
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const measured = Number(iterations) > 0 ? await run(Number(iterations)) : {};
  console.log(JSON.stringify({ scenario, warm, measured }));
  process.exit(0);
}
