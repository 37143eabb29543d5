/**
 * `npm run bench`: Elyzor's verification path measured against the raw Node ceiling, on this
 * machine, in one run.
 *
 *   baseline   bench/baseline.mjs: node:http + SHA-256 + Map, the least a verifier can do
 *   1          a valid key, embedded backends (PGlite, in-process limits): cache hits
 *   2          a valid key, PostgreSQL + Redis
 *   3          cache misses: N distinct valid keys (100,000), each verified once, PostgreSQL
 *   4          a flood of malformed and bad-checksum keys
 *   5          a flood of well-formed unknown keys, counting the database lookups they cause
 *   6          key creation through the management API
 *   7          cache misses (as 3b) while 20 connections of another user read 30-day stats of a
 *              project of ~500,000 usage rows, PostgreSQL: the verification p99 beside the reads
 *   workers    (with --workers) two worker processes: throughput, exact limits, revocation
 *   --library  instead of all the above: @elyzor/keys in process (bench/library.mjs), verify()
 *              against an in-process ceiling, and heap per 100,000 stored keys
 *
 * Every scenario uses keep-alive connections (50; 10 for key creation). Scenarios 1, 2, 4 and
 * 5 run for a fixed time after a short warm-up; 3 and 6 send a fixed number of requests.
 * After each verification scenario the project's `totalRequests` must equal the verifications
 * the load generator saw answered (every answer names the project in 1–3, none in 4–5).
 *
 * Flags: --duration <s> (or BENCH_DURATION; default 10), --quick (3 s, 20,000 keys, 500
 * creations), --keys <n>, --creations <n>, --generator wrk|autocannon (or BENCH_GENERATOR;
 * default: wrk when installed), --instructions (only this: instructions per verification counted by
 * valgrind, the median of 3 or `--runs <n>`, `--parallel` for every scenario at once, see bench/instructions.mjs), --workers, --profile (Elyzor runs with --cpu-prof; the profiles,
 * one per Elyzor process, open in Chrome DevTools or speedscope).
 * Services: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/elyzor_bench, dropped
 * and recreated by every run) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/15, a logical
 * database of its own so that the benchmark's counters never meet anyone else's).
 *
 * Output: a table on stdout, and bench/results/<date>-<host>.json and bench/results/latest.json.
 */
import { createDigester, generateCredential } from '../packages/core/dist/index.js';
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, checkUsage, createAccount, createKey, createVerifyRootKey, ROOT, SERVER_MAIN, startElyzor, totalRequests } from './lib/elyzor.mjs';
import { countKeys, credentialReads, insertBusyUsage, insertKeys, resetDatabase, withClient } from './lib/db.mjs';
import { pickGenerator, runLoad } from './lib/load.mjs';
import { malformedTokens } from './lib/tokens.mjs';
import { stealWindow } from './lib/machine.mjs';
import { installCleanup, spawnTracked, stopChild } from './lib/processes.mjs';
import { runWorkersCheck } from './workers.mjs';
import { reportInstructions, runsFrom } from './instructions.mjs';

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const flag = (name) => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  const quick = argv.includes('--quick');
  const number = (value, name) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${value}")`);
    return n;
  };
  const durationS = number(flag('--duration') ?? process.env.BENCH_DURATION ?? (quick ? 3 : 10), '--duration');
  return {
    quick,
    durationS,
    warmupS: quick ? 0.5 : 1,
    connections: 50,
    missKeys: Math.round(number(flag('--keys') ?? (quick ? 20_000 : 100_000), '--keys')),
    missWarmupKeys: quick ? 500 : 2000,
    // Scenario 3 again at low concurrency: the latency of a miss itself, not of a 50-deep queue.
    missLowKeys: quick ? 2000 : 10_000,
    missLowConnections: 4,
    creations: Math.round(number(flag('--creations') ?? (quick ? 500 : 2000), '--creations')),
    creationConnections: 10,
    unknownKeys: 1000,
    malformedKeys: 1000,
    workers: argv.includes('--workers'),
    profile: argv.includes('--profile'),
    generator: flag('--generator') ?? process.env.BENCH_GENERATOR,
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/elyzor_bench',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

const fixed = (value, digits) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const mb = (bytes) => (bytes === null || bytes === undefined ? null : bytes / 1024 / 1024);
const mark = (pass) => (pass === null ? '' : pass ? '✓' : '✗');

function table(rows, header) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i <= 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Pieces of a run

const digest = createDigester();

/**
 * Runs one load with warm-up, samples the server's memory and CPU over both, and checks usage
 * records against what the load generator saw answered.
 */
/**
 * Elyzor's answer to the scenario's first request (status, its own headers, the body), for the
 * same-answer baseline; waits until the usage it recorded is counted, so the scenario's own
 * count starts after it.
 */
async function captureAnswer(server, account, load, namesProject) {
  const before = await totalRequests(server.url, account);
  const response = await call(server.url, 'POST', load.path, { body: JSON.parse(load.body), token: load.tokens[0] });
  const headers = {};
  for (const name of ['ratelimit-policy', 'ratelimit', 'retry-after']) {
    if (response.headers[name] !== undefined) headers[name] = response.headers[name];
  }
  const answer = { status: response.status, headers, body: response.body };
  await checkUsage(server.url, account, before + (namesProject ? 1 : 0), { firstWaitMs: 300 });
  return answer;
}

/** One run of a baseline beside a scenario, with the steal during it. */
async function runBaseline(ctx, url) {
  const stolen = stealWindow();
  const run = await runLoad(ctx.generator, { url, ...ctx.baselineLoad });
  return { rps: run.rps, p50Ms: run.latencyMs.p50, p99Ms: run.latencyMs.p99, stealPercent: stolen() };
}

async function measure(ctx, { server, account, load, warmup, namesProject, expectStatus, beside = false }) {
  // A timed scenario is compared with both baselines measured just before it, for as long: the
  // host's steal moves the ceiling within minutes (see bench/lib/machine.mjs). The same-answer
  // baseline writes this scenario's own answer, captured from Elyzor first.
  let besideBaseline = null;
  let sameAnswerBaseline = null;
  if (beside) {
    besideBaseline = await runBaseline(ctx, ctx.baseline.url);
    const answer = await captureAnswer(server, account, load, namesProject);
    const same = await startBaseline([ctx.baselineKey], '00000000-0000-4000-8000-000000000000', answer);
    try {
      await runLoad(ctx.generator, { url: same.url, ...ctx.baselineLoad, durationMs: 500 });
      sameAnswerBaseline = { ...(await runBaseline(ctx, same.url)), answer: { status: answer.status, headers: answer.headers, bodyBytes: Buffer.byteLength(JSON.stringify(answer.body)) } };
    } finally {
      await stopChild(same.tracked);
    }
  }
  const window = server.sampler.window();
  const before = await totalRequests(server.url, account);
  const warm = warmup === undefined ? null : await runLoad(ctx.generator, { url: server.url, ...warmup });
  const stolen = stealWindow();
  const result = await runLoad(ctx.generator, { url: server.url, ...load });
  const stealPercent = stolen();
  const resources = window();
  const verified = result.completed + (warm?.completed ?? 0);
  const usage = await checkUsage(server.url, account, before + (namesProject ? verified : 0));
  const unexpected = [result, warm ?? { statuses: {} }]
    .flatMap((run) => Object.entries(run.statuses))
    .filter(([status]) => Number(status) !== expectStatus)
    .reduce((sum, [, count]) => sum + count, 0);
  const problems = [];
  if (!usage.pass) problems.push(`usage records ${usage.actual - before}, expected ${namesProject ? verified : 0}`);
  if (unexpected > 0) problems.push(`${unexpected} answers other than ${expectStatus}: ${JSON.stringify({ warmup: warm?.statuses, run: result.statuses })}`);
  if (result.incomplete || (warm?.incomplete ?? false)) problems.push(`requests without an answer (sent ${result.sent}, answered ${result.completed}; errors ${JSON.stringify(result.errors)})`);
  return {
    result,
    besideBaseline,
    sameAnswerBaseline,
    stealPercent,
    warmup: warm === null ? null : { completed: warm.completed, statuses: warm.statuses },
    resources,
    usage: { before, after: usage.actual, expectedDelta: namesProject ? verified : 0, delta: usage.actual - before, pass: usage.pass },
    check: { pass: problems.length === 0, problems },
  };
}

function scenarioRecord(id, name, backend, measured, baselineRps, targets, extra = {}) {
  const { result } = measured;
  return {
    baselineRps,
    id,
    name,
    backend,
    rps: result.rps,
    p50Ms: result.latencyMs.p50,
    p90Ms: result.latencyMs.p90,
    p99Ms: result.latencyMs.p99,
    maxMs: result.latencyMs.max,
    ratio: baselineRps > 0 ? result.rps / baselineRps : null,
    completed: result.completed,
    seconds: result.windowSeconds,
    statuses: result.statuses,
    non2xx: result.non2xx,
    errors: result.errors,
    warmup: measured.warmup,
    peakRssMb: mb(measured.resources.peakRss),
    rssAfterMb: mb(measured.resources.rssAfter),
    serverCpuPercent: measured.resources.cpuPercent,
    stealPercent: measured.stealPercent ?? null,
    besideBaseline: measured.besideBaseline ?? null,
    sameAnswerBaseline: measured.sameAnswerBaseline ?? null,
    sameAnswerRatio: measured.sameAnswerBaseline ? result.rps / measured.sameAnswerBaseline.rps : null,
    usage: measured.usage ?? null,
    check: measured.check,
    targets,
    ...extra,
  };
}

const target = (label, pass) => ({ label, pass });

async function startBaseline(tokens, projectId, answer = null) {
  let port = null;
  const listening = new Promise((resolve) => {
    const env = { ...process.env, BASELINE_TOKENS: JSON.stringify(tokens), BASELINE_PROJECT_ID: projectId };
    if (answer !== null) env.BASELINE_ANSWER = JSON.stringify(answer);
    const tracked = spawnTracked(process.execPath, [join(ROOT, 'bench/baseline.mjs')], {
      env,
      onLine(line) {
        const match = /baseline listening on (\d+)/.exec(line);
        if (match !== null) {
          port = Number(match[1]);
          resolve(tracked);
        }
      },
    });
    tracked.exited.then(() => resolve(tracked));
  });
  const tracked = await listening;
  if (port === null) throw new Error(`the baseline did not start:\n${tracked.lines.join('\n')}`);
  return { url: `http://127.0.0.1:${port}`, tracked };
}

/** A fresh PostgreSQL-backed Elyzor between two exact readings of the credential-read counters. */
async function withCountedLookups(ctx, name, fn) {
  // Sessions publish their counters when they end: the previous server has stopped, so this
  // reading is complete.
  await sleep(500);
  const before = await withClient(ctx.options.databaseUrl, credentialReads);
  const server = await startElyzor({ name, env: ctx.pgEnv, nodeArgs: ctx.nodeArgs(name) });
  let value;
  try {
    value = await fn(server);
  } finally {
    ctx.instances.push(await describeStop(server));
  }
  await sleep(500);
  const after = await withClient(ctx.options.databaseUrl, credentialReads);
  return { value, lookups: after.indexScans - before.indexScans, seqScans: after.seqScans - before.seqScans };
}

async function describeStop(server) {
  const outcome = await server.stop();
  return {
    name: server.name,
    startupSeconds: server.startupSeconds,
    peakRssMb: mb(server.sampler.hwm),
    exit: outcome,
    warnings: server.logged.warnings,
    errors: server.logged.errors,
    logSamples: server.logged.samples,
  };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main() {
  if (process.argv.includes('--library')) {
    // The embeddable library, in process: no server, database or load generator.
    const { runLibraryBench } = await import('./library.mjs');
    await runLibraryBench();
    process.exit(0);
  }
  installCleanup();
  if (process.argv.includes('--instructions')) {
    await reportInstructions(undefined, runsFrom(process.argv), process.argv.includes('--parallel'));
    process.exit(0);
  }
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run \`npm run build\` first (npm run bench does).`);
  const generator = pickGenerator(options.generator);

  // Every step is bounded on its own; this is the last resort if something hangs anyway.
  const budgetS = 300 + 16 * options.durationS + options.missKeys / 1000 + (options.workers ? 90 : 0);
  const watchdog = setTimeout(() => {
    console.error(`\nThe run exceeded ${Math.round(budgetS)} s: stopping.`);
    process.exit(2);
  }, budgetS * 1000);
  watchdog.unref();

  const machine = {
    hostname: hostname(),
    os: `${type()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  const d = options.durationS * 1000;
  const w = options.warmupS * 1000;
  const c = options.connections;
  console.log(`Elyzor benchmark — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}`);
  console.log(`Load generator: ${generator.description}; ${c} keep-alive connections; ${options.durationS} s per timed scenario (+${options.warmupS} s warm-up)`);
  if (machine.loadAverageAtStart[0] > machine.cores / 2) {
    console.log(`Note: load average ${machine.loadAverageAtStart[0]} on ${machine.cores} cores before the run — other work is competing; figures will be noisy.`);
  }

  await resetDatabase(options.databaseUrl).catch((error) => {
    throw new Error(`PostgreSQL at ${options.databaseUrl} (BENCH_DATABASE_URL): ${error.message}`);
  });

  const jwtSecret = randomBytes(32).toString('hex');
  const raised = {
    JWT_SECRET: jwtSecret,
    RATE_LIMIT_DEFAULT: '1000000000',
    IP_RATE_LIMIT_VERIFY: '1000000000',
    IP_RATE_LIMIT_VERIFY_FAILURES: '1000000000',
    IP_RATE_LIMIT_AUTH: '1000000',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
  };
  const profileDir = options.profile ? join(tmpdir(), `elyzor-bench-profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`) : null;
  const ctx = {
    options,
    generator,
    instances: [],
    nodeArgs: (name) => (profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]),
    pgEnv: { ...raised, DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl },
    baseline: null,
    baselineLoad: null,
  };
  const scenarios = [];
  const verifyLoad = (tokens, extra) => ({ method: 'POST', path: '/v1/verify', body: '{}', tokens, connections: c, ...extra });
  const step = (text) => console.log(`\n▸ ${text}`);

  // Baseline ------------------------------------------------------------------------------------
  step('baseline: node:http + SHA-256 + Map');
  const baselineKey = generateCredential('sk').token;
  const baseline = await startBaseline([baselineKey], '00000000-0000-4000-8000-000000000000');
  await runLoad(generator, { url: baseline.url, ...verifyLoad([baselineKey], { durationMs: w }) });
  const base = await runLoad(generator, { url: baseline.url, ...verifyLoad([baselineKey], { durationMs: d }) });
  console.log(`  ${Math.round(base.rps)} req/s, p50 ${fixed(base.latencyMs.p50, 2)} ms, p99 ${fixed(base.latencyMs.p99, 2)} ms`);
  const baselineRps = base.rps;
  ctx.baseline = baseline;
  ctx.baselineKey = baselineKey;
  ctx.baselineLoad = verifyLoad([baselineKey], { durationMs: d });
  /** The ratio to the same-answer baseline measured beside it: what the issue's targets name. */
  const sameRatioOf = (m) => m.result.rps / m.sameAnswerBaseline.rps;

  // 1: embedded ---------------------------------------------------------------------------------
  step('1: valid key, embedded backends (starting Elyzor with PGlite)');
  const embedded = await startElyzor({ name: 'embedded', env: raised, nodeArgs: ctx.nodeArgs('embedded') });
  console.log(`  started in ${embedded.startupSeconds.toFixed(1)} s`);
  try {
    const account = await createAccount(embedded.url, 'embedded');
    const key = await createKey(embedded.url, account);
    const m = await measure(ctx, {
      server: embedded,
      account,
      warmup: verifyLoad([key.key], { durationMs: w }),
      load: verifyLoad([key.key], { durationMs: d }),
      namesProject: true,
      expectStatus: 200,
      beside: true,
    });
    scenarios.push(
      scenarioRecord('1', 'valid key (cache hit)', 'embedded', m, m.besideBaseline.rps, [
        target('≥ 0.85× same-answer', sameRatioOf(m) >= 0.85),
        target('p99 ≤ 5 ms', m.result.latencyMs.p99 <= 5),
      ]),
    );

    // The same key through the Unkey-compatible face: the root key (from the instance's root-key cache), then the same verification.
    step('1u: valid key at /v2/keys.verifyKey, embedded backends');
    const rootKey = await createVerifyRootKey(embedded.url, account);
    const v2Load = (durationMs) => ({ method: 'POST', path: '/v2/keys.verifyKey', body: JSON.stringify({ key: key.key }), tokens: [rootKey], connections: c, durationMs });
    const mu = await measure(ctx, { server: embedded, account, warmup: v2Load(w), load: v2Load(d), namesProject: true, expectStatus: 200, beside: true });
    scenarios.push(scenarioRecord('1u', 'valid key at /v2/keys.verifyKey (cache hit)', 'embedded', mu, mu.besideBaseline.rps, [target('answers 200 and counts usage', mu.check.pass)]));
  } finally {
    ctx.instances.push(await describeStop(embedded));
  }

  // 2, 3, 6: PostgreSQL + Redis -----------------------------------------------------------------
  step('2: valid key, PostgreSQL + Redis');
  const postgres = await startElyzor({ name: 'postgres', env: ctx.pgEnv, nodeArgs: ctx.nodeArgs('postgres') });
  console.log(`  started in ${postgres.startupSeconds.toFixed(1)} s`);
  let account;
  let memoryAfterMisses;
  try {
    account = await createAccount(postgres.url, 'postgres');
    const key = await createKey(postgres.url, account);
    const m2 = await measure(ctx, {
      server: postgres,
      account,
      warmup: verifyLoad([key.key], { durationMs: w }),
      load: verifyLoad([key.key], { durationMs: d }),
      namesProject: true,
      expectStatus: 200,
      beside: true,
    });
    scenarios.push(scenarioRecord('2', 'valid key', 'postgres+redis', m2, m2.besideBaseline.rps, [target('≥ 0.7× same-answer', sameRatioOf(m2) >= 0.7)]));

    step(`3: cache misses — ${options.missKeys.toLocaleString('en')} distinct keys, each verified once`);
    const generated = Array.from({ length: options.missKeys + options.missWarmupKeys + 2 * options.missLowKeys }, () => {
      const credential = generateCredential('sk');
      return { token: credential.token, publicId: credential.publicId, digest: digest(credential.token) };
    });
    const inserted = performance.now();
    await withClient(options.databaseUrl, (client) => insertKeys(client, account.projectId, generated));
    console.log(`  inserted ${generated.length.toLocaleString('en')} keys in ${((performance.now() - inserted) / 1000).toFixed(1)} s`);
    const tokens = generated.map((g) => g.token);
    const warmTokens = tokens.slice(0, options.missWarmupKeys);
    const missTokens = tokens.slice(options.missWarmupKeys, options.missWarmupKeys + options.missKeys);
    const lowTokens = tokens.slice(options.missWarmupKeys + options.missKeys, options.missWarmupKeys + options.missKeys + options.missLowKeys);
    const besideStatsTokens = tokens.slice(options.missWarmupKeys + options.missKeys + options.missLowKeys);
    const m3 = await measure(ctx, {
      server: postgres,
      account,
      warmup: verifyLoad(warmTokens, { count: warmTokens.length }),
      load: verifyLoad(missTokens, { count: missTokens.length }),
      namesProject: true,
      expectStatus: 200,
    });
    memoryAfterMisses = { rssAfterMb: mb(m3.resources.rssAfter), peakDuringMb: mb(m3.resources.peakRss), processPeakMb: mb(m3.resources.hwm) };
    scenarios.push(
      scenarioRecord('3', 'cache misses, each key once', 'postgres+redis', m3, baselineRps, [
        target('p50 ≤ 2 ms', m3.result.latencyMs.p50 <= 2),
        target('p99 ≤ 10 ms', m3.result.latencyMs.p99 <= 10),
      ]),
    );

    // At 50 connections a miss waits behind up to 49 others (latency = connections / throughput);
    // with a few connections the figures are the miss's own cost: the lookup and its round trip.
    step(`3b: cache misses at ${options.missLowConnections} connections — ${options.missLowKeys.toLocaleString('en')} more distinct keys, each once`);
    const m3b = await measure(ctx, {
      server: postgres,
      account,
      load: { ...verifyLoad(lowTokens, { count: lowTokens.length }), connections: options.missLowConnections },
      namesProject: true,
      expectStatus: 200,
    });
    scenarios.push(
      scenarioRecord('3b', `cache misses, ${options.missLowConnections} connections`, 'postgres+redis', m3b, baselineRps, [
        target('p50 ≤ 2 ms', m3b.result.latencyMs.p50 <= 2),
        target('p99 ≤ 10 ms', m3b.result.latencyMs.p99 <= 10),
      ]),
    );

    // 7: the same misses as 3b, while another user reads 30-day stats of a busy project on 20
    // connections. The verify lookups have a pool of their own, and one user's heavy reads are
    // held to 2 at once (the rest are refused with 429): misses no longer queue behind the reads
    // for a connection (2.5 s before). What remains is the CPU the reads and refusals take.
    step(`7: cache misses at ${options.missLowConnections} connections beside 20 connections of 30-day stats reads (~500,000 usage rows)`);
    const heavy = await createAccount(postgres.url, 'stats-load');
    const built = performance.now();
    await withClient(options.databaseUrl, (client) => insertBusyUsage(client, heavy.projectId, 350, 1440));
    console.log(`  wrote 350 keys × 1440 minutes of usage in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    // The reads last longer than the misses (3b's time, twice over, and at least 5 s).
    const statsLoad = runLoad(generator, {
      url: postgres.url,
      method: 'GET',
      path: `/v1/projects/${heavy.projectId}/stats?range=30d`,
      tokens: [heavy.accessToken],
      connections: 20,
      durationMs: Math.max(5000, 2 * m3b.result.windowSeconds * 1000 + 2000),
    });
    await sleep(500);
    const m7 = await measure(ctx, {
      server: postgres,
      account,
      load: { ...verifyLoad(besideStatsTokens, { count: besideStatsTokens.length }), connections: options.missLowConnections },
      namesProject: true,
      expectStatus: 200,
    });
    const s7 = await statsLoad;
    const statsFailed = Object.entries(s7.statuses)
      .filter(([status]) => status !== '200' && status !== '429')
      .reduce((sum, [, n]) => sum + n, 0);
    if (statsFailed > 0) m7.check = { pass: false, problems: [...m7.check.problems, `stats reads answered ${JSON.stringify(s7.statuses)}`] };
    console.log(`  stats reads: ${JSON.stringify(s7.statuses)} (${Math.round(s7.rps)} req/s, p99 ${fixed(s7.latencyMs.p99, 1)} ms)`);
    scenarios.push(
      scenarioRecord('7', `cache misses beside 30-day stats reads`, 'postgres+redis', m7, baselineRps, [
        target('p99 ≤ 250 ms', m7.result.latencyMs.p99 <= 250),
        target('stats: only 200 and 429', statsFailed === 0),
      ], { statsLoad: { rps: s7.rps, p50Ms: s7.latencyMs.p50, p99Ms: s7.latencyMs.p99, statuses: s7.statuses } }),
    );

    step(`6: key creation through the management API — ${options.creations.toLocaleString('en')} keys, ${options.creationConnections} connections`);
    const createLoad = {
      method: 'POST',
      path: `/v1/projects/${account.projectId}/keys`,
      body: '{}',
      tokens: [account.accessToken],
      connections: options.creationConnections,
    };
    const keysBefore = await withClient(options.databaseUrl, (client) => countKeys(client, account.projectId));
    const window = postgres.sampler.window();
    const warm6 = await runLoad(generator, { url: postgres.url, ...createLoad, count: Math.min(100, options.creations) });
    const r6 = await runLoad(generator, { url: postgres.url, ...createLoad, count: options.creations });
    const resources = window();
    const keysAfter = await withClient(options.databaseUrl, (client) => countKeys(client, account.projectId));
    const created = (r6.statuses['201'] ?? 0) + (warm6.statuses['201'] ?? 0);
    const problems = [];
    if (keysAfter - keysBefore !== created) problems.push(`${keysAfter - keysBefore} keys in the database for ${created} answers 201`);
    if (r6.non2xx > 0 || warm6.non2xx > 0) problems.push(`answers other than 201: ${JSON.stringify(r6.statuses)}`);
    if (r6.incomplete) problems.push('requests without an answer');
    scenarios.push(
      scenarioRecord(
        '6',
        'key creation (API)',
        'postgres+redis',
        { result: r6, warmup: { completed: warm6.completed, statuses: warm6.statuses }, resources, check: { pass: problems.length === 0, problems } },
        0,
        [],
        { keysCreated: { answers201: created, rowsAdded: keysAfter - keysBefore } },
      ),
    );
  } finally {
    ctx.instances.push(await describeStop(postgres));
  }

  // 4 and 5: each on a fresh PostgreSQL-backed instance, so the lookups are counted exactly. ------
  step('4: malformed and bad-checksum keys (fresh Elyzor on PostgreSQL + Redis, lookups counted)');
  const malformed = malformedTokens(options.malformedKeys);
  const s4 = await withCountedLookups(ctx, 'malformed', (server) =>
    measure(ctx, {
      server,
      account,
      warmup: verifyLoad(malformed, { durationMs: w }),
      load: verifyLoad(malformed, { durationMs: d }),
      namesProject: false,
      expectStatus: 401,
      beside: true,
    }),
  );
  scenarios.push(
    scenarioRecord('4', 'malformed / bad checksum', 'postgres+redis', s4.value, s4.value.besideBaseline.rps, [target('≥ 0.9× same-answer', sameRatioOf(s4.value) >= 0.9), target('no lookups', s4.lookups === 0)], {
      distinctKeys: malformed.length,
      databaseLookups: { method: 'pg_stat_user_indexes.idx_scan on credentials_public_id_key, server stopped before reading', lookups: s4.lookups, seqScans: s4.seqScans },
    }),
  );

  step(`5: well-formed unknown keys — ${options.unknownKeys} distinct, cycled (fresh Elyzor, lookups counted)`);
  const unknown = Array.from({ length: options.unknownKeys }, () => generateCredential('sk').token);
  const negativeTtlS = Number(process.env.CACHE_NEGATIVE_TTL_SECONDS ?? 10);
  const s5 = await withCountedLookups(ctx, 'unknown', (server) =>
    measure(ctx, {
      server,
      account,
      // Warm the route with malformed keys: the unknown ones must meet a cold negative cache.
      warmup: verifyLoad(malformed, { durationMs: w }),
      load: verifyLoad(unknown, { durationMs: d }),
      namesProject: false,
      expectStatus: 401,
      beside: true,
    }),
  );
  // A negative entry lives CACHE_NEGATIVE_TTL_SECONDS: each distinct key may be looked up once
  // per period the run spans.
  const periods = negativeTtlS > 0 ? Math.max(1, Math.ceil(s5.value.result.windowSeconds / negativeTtlS)) : Infinity;
  const allowed = options.unknownKeys * periods;
  scenarios.push(
    scenarioRecord('5', 'unknown keys', 'postgres+redis', s5.value, s5.value.besideBaseline.rps, [target('≥ 0.9× same-answer', sameRatioOf(s5.value) >= 0.9), target('DB ≤ 1 query/distinct key', s5.lookups <= allowed)], {
      distinctKeys: options.unknownKeys,
      databaseLookups: {
        method: 'pg_stat_user_indexes.idx_scan on credentials_public_id_key, read before the server started and after it stopped',
        lookups: s5.lookups,
        seqScans: s5.seqScans,
        negativeCacheTtlSeconds: negativeTtlS,
        allowed,
      },
    }),
  );

  // Baseline again: how much did the machine drift during the run? -------------------------------
  step('baseline again (drift)');
  const baseAfter = await runLoad(generator, { url: baseline.url, ...verifyLoad([baselineKey], { durationMs: d }) });
  console.log(`  ${Math.round(baseAfter.rps)} req/s (${fixed((100 * (baseAfter.rps - baselineRps)) / baselineRps, 1)}% from the first run)`);
  await stopChild(baseline.tracked);

  // Workers ----------------------------------------------------------------------------------------
  let workers = null;
  if (options.workers) {
    step('workers: ELYZOR_WORKERS=2 on PostgreSQL + Redis');
    workers = await runWorkersCheck({ generator, durationMs: d, databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, jwtSecret });
  }

  // Report -----------------------------------------------------------------------------------------
  scenarios.sort((a, b) => a.id.localeCompare(b.id));
  const memoryPass = memoryAfterMisses.rssAfterMb <= 256;
  const rows = [
    ['base', 'node:http + SHA-256 + Map', 'in-process', Math.round(baselineRps), fixed(base.latencyMs.p50, 2), fixed(base.latencyMs.p99, 2), '—', '1.00', '—', '—', '—', '—', '—', '—', ''],
    ...scenarios.map((s) => [
      s.id,
      s.name,
      s.backend,
      Math.round(s.rps),
      fixed(s.p50Ms, 2),
      fixed(s.p99Ms, 2),
      s.besideBaseline === null ? '—' : Math.round(s.besideBaseline.rps),
      s.ratio === null ? '—' : fixed(s.ratio, 2),
      s.sameAnswerBaseline === null ? '—' : Math.round(s.sameAnswerBaseline.rps),
      s.sameAnswerRatio === null ? '—' : fixed(s.sameAnswerRatio, 2),
      fixed(s.peakRssMb, 0),
      fixed(s.serverCpuPercent, 0),
      fixed(s.stealPercent, 0),
      s.usage === null ? '—' : s.check.pass ? 'PASS' : 'FAIL',
      s.targets.map((t) => `${t.label} ${mark(t.pass)}`).join(', '),
    ]),
  ];
  console.log(`\n${table(rows, ['#', 'scenario', 'backend', 'req/s', 'p50 ms', 'p99 ms', 'base req/s', '× base', 'same req/s', '× same', 'RSS MB', 'CPU %', 'steal %', 'usage', 'targets'])}`);
  console.log(
    `\nRSS after scenario 3: ${fixed(memoryAfterMisses.rssAfterMb, 0)} MB (peak during it ${fixed(memoryAfterMisses.peakDuringMb, 0)} MB) — target ≤ 256 MB ${mark(memoryPass)}`,
  );
  for (const s of scenarios.filter((x) => x.databaseLookups !== undefined)) {
    const l = s.databaseLookups;
    console.log(`Scenario ${s.id}: ${l.lookups} database lookups (and ${l.seqScans} sequential scans) for ${s.distinctKeys} distinct keys${l.allowed !== undefined ? `; at most ${l.allowed} allowed (negative cache ${l.negativeCacheTtlSeconds} s)` : ''}`);
  }
  console.log('  (counted as index scans of credentials_public_id_key in pg_stat_user_indexes, read before a fresh server started and after it stopped)');
  console.log('\nUsage records = verifications (the project\'s totalRequests against the answers the load generator received):');
  for (const s of scenarios) {
    const problems = s.check.problems.length > 0 ? ` (${s.check.problems.join('; ')})` : '';
    if (s.usage === null) {
      console.log(`  ${s.id}: keys created = answers 201: ${s.check.pass ? 'PASS' : 'FAIL'} — ${s.keysCreated.rowsAdded} rows for ${s.keysCreated.answers201} answers${problems}`);
    } else {
      console.log(`  ${s.id}: ${s.check.pass ? 'PASS' : 'FAIL'} — recorded ${s.usage.delta}, expected ${s.usage.expectedDelta}${problems}`);
    }
  }
  if (workers !== null) {
    const t = workers.throughput;
    console.log(
      `\nTwo workers (PostgreSQL + Redis): ${workers.pass ? 'PASS' : 'FAIL'} — ${Math.round(t.rps)} req/s, both answered ${mark(t.bothAnswered)}, ` +
        `usage ${mark(t.usage.pass)}, limit ${workers.limit.limit}: ${workers.limit.allowed} of ${workers.limit.attempts} allowed ${mark(workers.limit.pass)}, ` +
        `revocation: ${workers.revocation.acceptedAfter} of ${workers.revocation.verificationsAfter} accepted after it ${mark(workers.revocation.pass)}`,
    );
  }
  const logged = ctx.instances.filter((i) => i.warnings + i.errors > 0);
  for (const instance of logged) {
    console.log(`\nElyzor (${instance.name}) logged ${instance.warnings} warnings and ${instance.errors} errors, e.g.:\n  ${instance.logSamples.slice(0, 3).join('\n  ')}`);
  }
  console.log(
    `\nbase req/s is the baseline measured right before the scenario, for as long; × base is the ratio to it. same req/s is the same-answer baseline (node:http writing this scenario's exact answer), measured right after it; × same the ratio to it. CPU % is the Elyzor process's CPU time over the scenario (100 = one core); ` +
      `steal % the share of the machine's CPU time the host took during it. Baseline drift over the run: ${fixed((100 * (baseAfter.rps - baselineRps)) / baselineRps, 1)}%.`,
  );

  const results = {
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    loadGenerator: { name: generator.name, version: generator.version, threads: generator.threads, description: generator.description },
    options: {
      durationSeconds: options.durationS,
      warmupSeconds: options.warmupS,
      connections: c,
      missKeys: options.missKeys,
      creations: options.creations,
      creationConnections: options.creationConnections,
      unknownKeys: options.unknownKeys,
      malformedKeys: options.malformedKeys,
      quick: options.quick,
    },
    baseline: { rps: baselineRps, p50Ms: base.latencyMs.p50, p99Ms: base.latencyMs.p99, rpsAtEnd: baseAfter.rps },
    scenarios,
    memory: { ...memoryAfterMisses, targetMb: 256, pass: memoryPass },
    instances: ctx.instances,
    workers,
    profiles: profileDir,
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.finishedAt.replace(/[:.]/g, '-')}-${machine.hostname}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults: ${file} (and bench/results/latest.json)`);
  if (profileDir !== null) console.log(`CPU profiles: ${profileDir}`);
  process.exit(0);
}

main().catch((error) => {
  console.error(`\nbench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
