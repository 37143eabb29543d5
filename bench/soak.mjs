/**
 * `npm run soak`: mixed traffic against one Elyzor for a fixed time (default 5 minutes) —
 * verifications, key creation, rotation, revocation and stats reads — and a report of what a
 * long run must show:
 *   - errors: 0 (any 5xx, network error or unexpected status);
 *   - latency percentiles of verifications, per interval, and p99 flat over the run: after a
 *     30 s warm-up, the median p99 of the last third's intervals at most
 *     max(2 × the baseline, the baseline + 50 ms), the baseline being the median p99 of the 3
 *     intervals after the warm-up; no interval without an answered verification. Why these
 *     figures (they fail the old 84 → 376–455 ms regression, and pass a healthy run on a loaded
 *     2-core machine): bench/lib/p99-flatness.mjs;
 *   - RSS per interval, levelling off: growth over the second half under 10 %;
 *   - usage records stored = verifications answered.
 *
 * Flags: --minutes <n> (or SOAK_MINUTES; default 5; a run under about a minute is too short to
 * decide the p99 rule, and fails it), --concurrency <n> (default 16), --real (PostgreSQL + Redis
 * instead of the embedded backends: BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/elyzor_bench, dropped and recreated by the run, and
 * BENCH_REDIS_URL, default redis://127.0.0.1:6379/15 — the benchmark's; give a soak running beside
 * a benchmark URLs of its own). Writes bench/results/soak-<date>-<host>.json and
 * bench/results/soak-latest.json. Not part of `npm test`: it takes minutes by design. Exits 1
 * when a requirement is not met.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, createAccount, createKey, ROOT, startElyzor, totalRequests } from './lib/elyzor.mjs';
import { resetDatabase } from './lib/db.mjs';
import { p99Flatness } from './lib/p99-flatness.mjs';
import { installCleanup } from './lib/processes.mjs';

const argv = process.argv.slice(2);
const flag = (name) => {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
};
const minutes = Number(flag('--minutes') ?? process.env.SOAK_MINUTES ?? 5);
const concurrency = Number(flag('--concurrency') ?? 16);
const real = argv.includes('--real');
if (!(minutes > 0) || !(concurrency > 0)) throw new Error('--minutes and --concurrency must be positive numbers');
const durationMs = minutes * 60_000;
const intervalMs = Math.max(5_000, Math.round(durationMs / 20));
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/elyzor_bench';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

/** Where a URL points, without its credentials: printed, never the password. */
const where = (raw) => {
  const parsed = new URL(raw);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
};

installCleanup();
if (real) {
  process.stdout.write(`PostgreSQL ${where(databaseUrl)} (dropped and recreated), Redis ${where(redisUrl)}\n`);
  await resetDatabase(databaseUrl);
}
const elyzor = await startElyzor({
  name: 'soak',
  env: {
    RATE_LIMIT_DEFAULT: '1000000000',
    IP_RATE_LIMIT_VERIFY: '1000000000',
    IP_RATE_LIMIT_VERIFY_FAILURES: '1000000000',
    IP_RATE_LIMIT_AUTH: '1000000',
    ...(real ? { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } : {}),
  },
});
const url = elyzor.url;
const account = await createAccount(url, 'soak');

/** Keys that verify (200); retired ones answer 403 and are kept to check exactly that. */
const live = [];
const retired = [];
for (let i = 0; i < 20; i++) live.push(await createKey(url, account));

const counts = { verify: 0, created: 0, rotated: 0, revoked: 0, stats: 0, statsRefused: 0 };
const errors = [];
let verificationsAnswered = 0;
let current = { latencies: [], requests: 0 };
const intervals = [];

function fail(what, detail) {
  if (errors.length < 50) errors.push(`${what}: ${detail}`);
  else errors.push('…');
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/**
 * One verification. `expected` is the status it must get; a live key may also get 403 when
 * another loop retired it between the pick and the answer.
 */
async function verify(key, expected) {
  const started = performance.now();
  const res = await call(url, 'POST', '/v1/verify', { token: key.key });
  current.latencies.push(performance.now() - started);
  current.requests++;
  counts.verify++;
  if (res.status === 200 || res.status === 403 || res.status === 429) verificationsAnswered++;
  const retiredMeanwhile = res.status === 403 && !live.includes(key);
  if (res.status !== expected && !retiredMeanwhile) fail('verify', `expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
}

async function step() {
  const roll = Math.random();
  if (roll < 0.85 || live.length < 5) {
    // A retired key is verified now and then: it must stay refused.
    if (retired.length > 0 && Math.random() < 0.05) return verify(pick(retired), 403);
    const key = pick(live);
    if (key === undefined) return;
    return verify(key, 200);
  }
  if (roll < 0.89) {
    const res = await call(url, 'POST', `/v1/projects/${account.projectId}/keys`, { body: { label: 'soak' }, token: account.accessToken });
    if (res.status !== 201) return fail('create', `${res.status} ${JSON.stringify(res.body)}`);
    counts.created++;
    live.push(res.body);
    return;
  }
  if (roll < 0.92) {
    const key = live.splice(Math.floor(Math.random() * live.length), 1)[0];
    const res = await call(url, 'POST', `/v1/projects/${account.projectId}/keys/${key.id}/rotate`, { token: account.accessToken });
    if (res.status !== 201) return fail('rotate', `${res.status} ${JSON.stringify(res.body)}`);
    counts.rotated++;
    retired.push(key);
    live.push(res.body);
    return;
  }
  if (roll < 0.94) {
    const key = live.splice(Math.floor(Math.random() * live.length), 1)[0];
    const res = await call(url, 'DELETE', `/v1/projects/${account.projectId}/keys/${key.id}`, { token: account.accessToken });
    if (res.status !== 204) return fail('revoke', `${res.status} ${JSON.stringify(res.body)}`);
    counts.revoked++;
    retired.push(key);
    return;
  }
  const res = await call(url, 'GET', `/v1/projects/${account.projectId}/stats?range=1d`, { token: account.accessToken });
  // More than HEAVY_READS_PER_USER reads of one user at once are refused, with a retry hint.
  if (res.status === 429 && res.body?.error === 'too_many_requests') {
    counts.statsRefused++;
    return;
  }
  if (res.status !== 200) return fail('stats', `${res.status} ${JSON.stringify(res.body)}`);
  counts.stats++;
}

/** The p99 rule's figures on one line: the baseline, the bound and the last third measured against it. */
function p99Summary(result) {
  const figures =
    result.baseline === null
      ? ''
      : `baseline ${result.baseline.medianMs} ms (median of ${result.baseline.fromSeconds}–${result.baseline.toSeconds} s, after the warm-up to ${result.warmupUntilSeconds} s), ` +
        `bound ${result.boundMs ?? '∞'} ms, last third ${result.lastThird.medianMs ?? '∞'} ms (median of ${result.lastThird.fromSeconds}–${result.lastThird.toSeconds} s; worst interval ${result.lastThird.worstMs ?? '∞'} ms)`;
  return [figures, result.reason].filter((part) => part !== null && part !== '').join(' — ');
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const started = performance.now();
const deadline = started + durationMs;
const ticker = setInterval(() => {
  const sorted = current.latencies.sort((a, b) => a - b);
  const row = {
    atSeconds: Math.round((performance.now() - started) / 1000),
    verifyPerSecond: Math.round(current.requests / (intervalMs / 1000)),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    rssMb: Math.round(elyzor.sampler.lastRss / 2 ** 20),
  };
  intervals.push(row);
  process.stdout.write(`${String(row.atSeconds).padStart(5)} s  ${String(row.verifyPerSecond).padStart(6)} verify/s  p50 ${row.p50?.toFixed(2)} ms  p99 ${row.p99?.toFixed(2)} ms  RSS ${row.rssMb} MB  errors ${errors.length}\n`);
  current = { latencies: [], requests: 0 };
}, intervalMs);

await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      try {
        await step();
      } catch (error) {
        fail('request', error instanceof Error ? error.message : String(error));
      }
    }
  }),
);
clearInterval(ticker);

// Usage is written off the response path: read until it settles.
await sleep(1500);
let stored = await totalRequests(url, account);
for (let i = 0; i < 20 && stored < verificationsAnswered; i++) {
  await sleep(500);
  stored = await totalRequests(url, account);
}
const half = intervals[Math.floor(intervals.length / 2)]?.rssMb ?? 0;
const last = intervals.at(-1)?.rssMb ?? 0;
const rssGrowth = half === 0 ? 0 : (last - half) / half;
const stop = await elyzor.stop();
const p99 = p99Flatness(intervals);

const report = {
  date: new Date().toISOString(),
  machine: { hostname: hostname(), cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  backend: real ? 'postgres+redis' : 'embedded',
  minutes,
  concurrency,
  counts,
  errors: errors.length,
  errorSamples: errors.slice(0, 10),
  usage: { verificationsAnswered, stored, pass: stored === verificationsAnswered },
  rss: { secondHalfGrowth: Math.round(rssGrowth * 1000) / 10, pass: rssGrowth < 0.1 },
  p99,
  intervals,
  serverLogged: elyzor.logged,
  exit: stop,
};
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const stamp = report.date.replaceAll(':', '-').replace('.', '-');
writeFileSync(join(dir, `soak-${stamp}-${hostname()}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'soak-latest.json'), `${JSON.stringify(report, null, 2)}\n`);

process.stdout.write(
  `\n${counts.verify} verifications, ${counts.created} keys created, ${counts.rotated} rotated, ${counts.revoked} revoked, ${counts.stats} stats reads (${counts.statsRefused} more refused as too many at once)\n` +
    `errors: ${errors.length} ${errors.length === 0 ? '✓' : '✗'}\n` +
    `usage records: ${stored} stored for ${verificationsAnswered} verifications answered ${report.usage.pass ? '✓' : '✗'}\n` +
    `RSS growth over the second half: ${report.rss.secondHalfGrowth} % ${report.rss.pass ? '✓' : '✗'} (${half} → ${last} MB)\n` +
    `p99 flat: ${p99.pass ? '✓' : '✗'} ${p99Summary(p99)}\n`,
);
for (const sample of report.errorSamples) process.stdout.write(`  ${sample}\n`);
process.exit(errors.length === 0 && report.usage.pass && report.rss.pass && p99.pass ? 0 : 1);
