/**
 * Elyzor with two worker processes (ELYZOR_WORKERS=2, node:cluster) on PostgreSQL + Redis:
 *
 *   - throughput: a valid key under load, with each worker's CPU time as evidence that both
 *     answered (responses do not say which worker sent them), and the usage check;
 *   - limits stay exact across workers: a key at the default limit (RATE_LIMIT_DEFAULT=100)
 *     verified 300 times at once, each on its own connection, must get exactly 100 successes;
 *   - revocation is seen on the next request by every worker: 20 fresh keys, each warmed in both
 *     workers' caches, revoked, then verified at once on fresh connections — none may pass.
 *
 * New connections go to the workers in turn (the cluster's round robin), so requests on fresh
 * connections alternate between them.
 *
 * Standalone: `node bench/workers.mjs [--duration 5] [--generator wrk|autocannon]` (after
 * `npm run build`); `npm run bench -- --workers` runs it after the main scenarios.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { call, checkUsage, createAccount, createKey, freshConnection, startElyzor, totalRequests } from './lib/elyzor.mjs';
import { pickGenerator, runLoad } from './lib/load.mjs';
import { childPids, installCleanup, readProc } from './lib/processes.mjs';
import { resetDatabase } from './lib/db.mjs';

const LIMIT = 100;
const LIMIT_ATTEMPTS = 300;
const REVOCATION_ROUNDS = 20;
const VERIFIES_AROUND_REVOCATION = 4;

const verify = (url, key) => call(url, 'POST', '/v1/verify', { token: key, body: {}, agent: freshConnection });

function cpuOf(pids) {
  return pids.map((pid) => readProc(pid)?.cpuSeconds ?? 0);
}

/** Runs the checks against a fresh two-worker Elyzor; returns the results (never throws on a failed check). */
export async function runWorkersCheck({ generator, durationMs, databaseUrl, redisUrl, jwtSecret, log = console.log }) {
  const server = await startElyzor({
    name: 'workers',
    env: {
      ELYZOR_WORKERS: '2',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      JWT_SECRET: jwtSecret,
      RATE_LIMIT_DEFAULT: String(LIMIT),
      IP_RATE_LIMIT_VERIFY: '1000000000',
      IP_RATE_LIMIT_VERIFY_FAILURES: '1000000000',
      IP_RATE_LIMIT_AUTH: '1000000',
    },
  });
  try {
    const workers = childPids(server.pid);
    log(`  two workers up in ${server.startupSeconds.toFixed(1)} s (primary ${server.pid}, workers ${workers.join(', ')})`);
    const account = await createAccount(server.url, 'workers');

    // Throughput, with a per-key limit high enough not to interfere.
    const fast = await createKey(server.url, account, { rateLimit: { limit: 1_000_000_000, windowSeconds: 60 } });
    const before = await totalRequests(server.url, account);
    const cpuBefore = cpuOf(workers);
    const load = await runLoad(generator, { url: server.url, method: 'POST', path: '/v1/verify', body: '{}', tokens: [fast.key], connections: 50, durationMs });
    const cpuUsed = cpuOf(workers).map((after, i) => after - cpuBefore[i]);
    const totalCpu = cpuUsed.reduce((a, b) => a + b, 0);
    // "Answered" means doing a real share of the work, not just being alive.
    const bothAnswered = workers.length === 2 && cpuUsed.every((seconds) => seconds > 0.2 * totalCpu);
    const usage = await checkUsage(server.url, account, before + load.completed);
    log(
      `  throughput: ${Math.round(load.rps)} req/s, p50 ${load.latencyMs.p50?.toFixed(2)} ms, p99 ${load.latencyMs.p99?.toFixed(2)} ms, ` +
        `non-2xx ${load.non2xx}; worker CPU ${cpuUsed.map((s) => `${s.toFixed(1)} s`).join(' / ')} → both answered ${bothAnswered ? '✓' : '✗'}`,
    );
    log(`  usage records = verifications: ${usage.actual - before} / ${load.completed} ${usage.pass ? 'PASS' : 'FAIL'}`);

    // Exact limits across the two workers.
    const limited = await createKey(server.url, account);
    const answers = await Promise.all(Array.from({ length: LIMIT_ATTEMPTS }, () => verify(server.url, limited.key).catch((error) => ({ status: 0, error }))));
    const count = (status) => answers.filter((a) => a.status === status).length;
    const limit = { attempts: LIMIT_ATTEMPTS, limit: LIMIT, allowed: count(200), limited: count(429), other: LIMIT_ATTEMPTS - count(200) - count(429) };
    limit.pass = limit.allowed === LIMIT && limit.limited === LIMIT_ATTEMPTS - LIMIT;
    log(`  limit ${LIMIT}, ${LIMIT_ATTEMPTS} concurrent verifications: ${limit.allowed} allowed, ${limit.limited} limited, ${limit.other} other ${limit.pass ? 'PASS' : 'FAIL'}`);

    // Revocation seen at once by both workers.
    const revocation = { rounds: REVOCATION_ROUNDS, warmFailures: 0, verificationsAfter: 0, acceptedAfter: 0, statusesAfter: {} };
    for (let round = 0; round < REVOCATION_ROUNDS; round++) {
      const key = await createKey(server.url, account);
      // Sequential fresh connections alternate workers: both caches now hold the key.
      for (let i = 0; i < VERIFIES_AROUND_REVOCATION; i++) {
        const warm = await verify(server.url, key.key);
        if (warm.status !== 200) revocation.warmFailures++;
      }
      const revoked = await call(server.url, 'DELETE', `/v1/projects/${account.projectId}/keys/${key.id}`, { token: account.accessToken, agent: freshConnection });
      if (revoked.status !== 204) throw new Error(`revoking a key answered ${revoked.status}`);
      const after = await Promise.all(Array.from({ length: VERIFIES_AROUND_REVOCATION }, () => verify(server.url, key.key)));
      for (const answer of after) {
        revocation.verificationsAfter++;
        if (answer.status === 200) revocation.acceptedAfter++;
        revocation.statusesAfter[answer.status] = (revocation.statusesAfter[answer.status] ?? 0) + 1;
      }
    }
    revocation.pass = revocation.acceptedAfter === 0 && revocation.warmFailures === 0;
    log(
      `  revocation, ${REVOCATION_ROUNDS} keys: ${revocation.acceptedAfter} of ${revocation.verificationsAfter} verifications right after ` +
        `the revocation still accepted (statuses ${JSON.stringify(revocation.statusesAfter)}) ${revocation.pass ? 'PASS' : 'FAIL'}`,
    );

    return {
      workers: 2,
      workerPids: workers,
      startupSeconds: server.startupSeconds,
      throughput: {
        rps: load.rps,
        p50Ms: load.latencyMs.p50,
        p99Ms: load.latencyMs.p99,
        completed: load.completed,
        non2xx: load.non2xx,
        statuses: load.statuses,
        workerCpuSeconds: cpuUsed,
        bothAnswered,
        usage: { expected: load.completed, recorded: usage.actual - before, pass: usage.pass },
      },
      limit,
      revocation,
      serverLog: { warnings: server.logged.warnings, errors: server.logged.errors, samples: server.logged.samples },
      pass: bothAnswered && usage.pass && limit.pass && revocation.pass && load.non2xx === 0,
    };
  } finally {
    await server.stop();
  }
}

async function main() {
  installCleanup();
  const args = process.argv.slice(2);
  const flag = (name) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/elyzor_bench';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  const generator = pickGenerator(flag('--generator') ?? process.env.BENCH_GENERATOR);
  const durationMs = Number(flag('--duration') ?? 5) * 1000;
  console.log(`Elyzor, two workers — load generator: ${generator.description}`);
  await resetDatabase(databaseUrl);
  const result = await runWorkersCheck({ generator, durationMs, databaseUrl, redisUrl, jwtSecret: randomBytes(32).toString('hex') });
  console.log(result.pass ? 'workers: PASS' : 'workers: FAIL');
  process.exit(result.pass ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
