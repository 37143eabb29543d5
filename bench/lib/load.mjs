/**
 * Load generation: wrk when it is installed (a C program, so it leaves more of a small machine
 * to the server), autocannon otherwise. Both are driven the same way and report the same shape:
 *
 *   runLoad({ url, method, path, body, tokens, connections, durationMs | count })
 *     → { completed, statuses, rps, latencyMs: { p50, p90, p99, max, mean }, ... }
 *
 * Each request sends `Authorization: Bearer <token>` with the next token of `tokens` (cycled).
 * With `durationMs` the run lasts that long; with `count` exactly that many requests are sent
 * and answered. Either way the end is clean: no request is cut off in flight, so `completed` is
 * exactly the number of requests the server processed (the usage check compares against it).
 * While the last answers arrive, idle connections send GET requests to a path that does not
 * exist; those 404s are counted apart and never mixed into the figures.
 */
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { makeTempDir, removeTempDir, spawnTracked, stopChild } from './processes.mjs';

const DRAIN_PATH = '/__bench_drain';
const WRK_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'wrk-driver.lua');

/** Which generator to use: `preferred` ('wrk' | 'autocannon') if given, else wrk when installed. */
export function pickGenerator(preferred) {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const wrkInstalled = probe.error === undefined;
  const wrkVersion = wrkInstalled ? (/wrk\s+(\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown') : null;
  if (preferred === 'wrk' && !wrkInstalled) throw new Error('--generator wrk: wrk is not installed');
  const name = preferred ?? (wrkInstalled ? 'wrk' : 'autocannon');
  if (name === 'wrk') {
    // One thread per spare core: the server under test needs the others.
    const threads = Math.max(1, Math.floor(cpus().length / 2));
    return { name, version: wrkVersion, threads, description: `wrk ${wrkVersion} (${threads} thread${threads > 1 ? 's' : ''}, Lua driver)` };
  }
  const version = createRequire(import.meta.url)('autocannon/package.json').version;
  return { name: 'autocannon', version, threads: 1, description: `autocannon ${version} (in the benchmark's Node process)` };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1));
  return sorted[index];
}

function finish({ generator, sent, completed, drained, statuses, windowMs, latencyMs, errors, incomplete }) {
  const ok2xx = Object.entries(statuses).reduce((sum, [status, count]) => (status.startsWith('2') ? sum + count : sum), 0);
  return {
    generator,
    sent,
    completed,
    drained,
    statuses,
    non2xx: completed - ok2xx,
    windowSeconds: windowMs / 1000,
    rps: windowMs > 0 ? (completed * 1000) / windowMs : 0,
    latencyMs,
    errors,
    // Requests sent that never got an answer (timeouts, resets): the run is not exact then.
    incomplete: incomplete || sent !== completed,
  };
}

/** Runs one load; see the file comment. `hardTimeoutMs` bounds it whatever happens. */
export async function runLoad(generator, options) {
  const { durationMs, count } = options;
  if ((durationMs === undefined) === (count === undefined)) throw new Error('runLoad: give exactly one of durationMs and count');
  if (options.tokens.length === 0) throw new Error('runLoad: no tokens');
  const hardTimeoutMs = options.hardTimeoutMs ?? (durationMs !== undefined ? durationMs + 30_000 : 180_000);
  const run = generator.name === 'wrk' ? runWrk : runAutocannon;
  return run(generator, { ...options, hardTimeoutMs });
}

async function runWrk(generator, options) {
  const dir = makeTempDir('elyzor-bench-wrk-');
  try {
    return await driveWrk(generator, dir, options);
  } finally {
    removeTempDir(dir);
  }
}

async function driveWrk(generator, dir, { url, method, path, body, tokens, connections, durationMs, count, hardTimeoutMs }) {
  const tokensFile = join(dir, 'tokens.txt');
  writeFileSync(tokensFile, `${tokens.join('\n')}\n`);
  const threads = Math.min(generator.threads, connections);
  const mode = durationMs !== undefined ? 'duration' : 'count';
  const amount = durationMs !== undefined ? Math.round(durationMs) : count;
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${Math.ceil(hardTimeoutMs / 1000)}s`,
    '--timeout',
    '10s',
    '-s',
    WRK_SCRIPT,
    url,
    '--',
    method,
    path,
    body ?? '-',
    tokensFile,
    mode,
    String(amount),
    String(threads),
  ];
  let threadsDone = 0;
  let report = null;
  let tracked;
  const allDone = new Promise((resolve) => {
    tracked = spawnTracked('wrk', args, {
      onLine(line) {
        if (line === 'bench-thread-done' && ++threadsDone === threads) resolve();
        if (line.startsWith('BENCH_JSON ')) report = JSON.parse(line.slice('BENCH_JSON '.length));
      },
    });
  });
  // wrk itself always waits out -d; once every thread has finished cleanly, SIGINT makes it
  // report at once. -d (the hard timeout) only matters if something never answered.
  await Promise.race([allDone, tracked.exited]);
  await stopChild(tracked, { signal: 'SIGINT', graceMs: 10_000 });
  if (report === null) throw new Error(`wrk produced no report:\n${tracked.lines.slice(-20).join('\n')}`);
  const us = report.latencyUs;
  const ms = (value) => value / 1000;
  return finish({
    generator: generator.name,
    sent: report.sent,
    completed: report.received,
    drained: report.drained,
    statuses: report.statuses,
    windowMs: report.windowMs,
    latencyMs: { p50: ms(us.p50), p90: ms(us.p90), p99: ms(us.p99), max: ms(us.max), mean: ms(us.mean) },
    // wrk's own "status" error count is left out: it counts every answer ≥ 400, drains included.
    errors: { connect: report.errors.connect, read: report.errors.read, write: report.errors.write, timeout: report.errors.timeout },
    incomplete: threadsDone < threads,
  });
}

function runAutocannon(generator, { url, method, path, body, tokens, connections, durationMs, count, hardTimeoutMs }) {
  return new Promise((resolve, reject) => {
    let index = 0;
    let sent = 0;
    let completed = 0;
    let drained = 0;
    let finished = false;
    let stopping = false;
    let first = 0;
    let last = 0;
    let deadline = Infinity;
    const statuses = {};
    // Every latency, kept exactly: autocannon's own histogram has whole-millisecond resolution,
    // too coarse for sub-millisecond answers.
    let latencies = new Float64Array(1 << 16);
    const headersFor = (token) => (body === undefined ? { authorization: `Bearer ${token}` } : { authorization: `Bearer ${token}`, 'content-type': 'application/json' });

    // Called by autocannon for each request it is about to send.
    const setupRequest = (req) => {
      const now = performance.now();
      if (first === 0) {
        first = now;
        if (durationMs !== undefined) deadline = now + durationMs;
      }
      if (!finished) finished = durationMs !== undefined ? now >= deadline : index >= count;
      if (finished) return { ...req, method: 'GET', path: DRAIN_PATH, headers: {}, body: '' };
      const token = tokens[index % tokens.length];
      index++;
      sent++;
      return { ...req, method, path, headers: headersFor(token), body: body ?? '' };
    };

    const instance = autocannon(
      {
        url,
        connections,
        duration: Math.ceil(hardTimeoutMs / 1000),
        timeout: 10,
        // How often autocannon looks at its stop flag: short, so the drain phase stays short.
        sampleInt: 50,
        requests: [{ setupRequest }],
      },
      (error, result) => {
        if (error) return reject(error);
        const sorted = latencies.subarray(0, completed).sort();
        const mean = completed === 0 ? null : sorted.reduce((sum, value) => sum + value, 0) / completed;
        resolve(
          finish({
            generator: generator.name,
            sent,
            completed,
            drained,
            statuses,
            windowMs: last - first,
            latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[completed - 1] ?? null, mean },
            errors: { connect: result.errors - result.timeouts, timeout: result.timeouts },
            incomplete: false,
          }),
        );
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 404) {
        drained++;
      } else {
        if (completed === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[completed++] = responseTime;
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
        last = performance.now();
      }
      if (finished && completed >= sent && !stopping) {
        stopping = true;
        instance.stop();
      }
    });
  });
}
