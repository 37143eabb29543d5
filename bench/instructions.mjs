/**
 * `npm run bench -- --instructions`: instructions per verification, counted by valgrind's
 * callgrind on bench/lib/lane-loop.mjs (an in-process loop through the verify lane's own code:
 * cache hit, malformed, unknown). Unlike requests per second, the count does not move with the
 * host's steal or the other work on the machine: it measures what our code asks the CPU to do.
 *
 * Each scenario runs twice, with SHORT and LONG iterations after the same start-up and warm-up;
 * (instructions(LONG) − instructions(SHORT)) / (LONG − SHORT) is the cost of one verification,
 * the loop's own few instructions included; garbage collection is left out (see NODE_FLAGS).
 * That pair is measured RUNS times (3 by default, `--runs <n>`): the figure is the median, and
 * the spread (lowest to highest, and the largest distance from the median in per cent) says how
 * far one pair could have been off. Every answer must be the scenario's own status (200 for a
 * hit, 401 otherwise): a loop that answers 500 would count an error path.
 *
 * Needs valgrind (`apt-get install -y valgrind`). Takes a few minutes: valgrind runs Node ~50×
 * slower. `node bench/instructions.mjs hit --runs 5` counts one scenario, five times; `--parallel`
 * counts the scenarios at once (one valgrind each, the same counts, sooner where cores are free). Prints a table and writes bench/results/instructions-latest.json.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './lib/elyzor.mjs';

const run = promisify(execFile);
const SHORT = 1000;
const LONG = 6000;
const SCENARIOS = ['hit', 'malformed', 'unknown'];
const EXPECTED_STATUS = { hit: '200', malformed: '401', unknown: '401' };
export const DEFAULT_RUNS = 3;
const LOOP = join(ROOT, 'bench/lib/lane-loop.mjs');
/**
 * No background threads (concurrent compilation and GC helpers do work that belongs to no
 * request), and a heap collected before the counted iterations with a young generation that
 * starts (not only may grow) large enough for all of them: with `--max-semi-space-size` alone
 * the young generation starts small, and a scavenge fell into the long run and not the short
 * one, moving the count by thousands per verification. No memory reducer (it collects on a
 * timer), and fixed hash and random seeds (V8's string hashes decide how maps probe). So the count
 * is the code's own work, allocation included, collection not. (--predictable was tried too: it
 * changes how V8 compiles.)
 */
const NODE_FLAGS = ['--single-threaded', '--expose-gc', '--max-semi-space-size=256', '--min-semi-space-size=256', '--no-memory-reducer', '--hash-seed=1', '--random-seed=1'];

/** Total instructions of one run of the loop under callgrind. */
async function count(scenario, iterations) {
  const out = join(tmpdir(), `elyzor-callgrind-${process.pid}-${scenario}-${iterations}.out`);
  try {
    const { stdout } = await run(
      'valgrind',
      ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...NODE_FLAGS, LOOP, scenario, String(iterations)],
      { maxBuffer: 16 * 1024 * 1024, timeout: 3_600_000 },
    );
    const answered = JSON.parse(stdout.trim().split('\n').pop());
    const totals = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(out, 'utf8'));
    if (totals === null) throw new Error(`no totals in ${out}`);
    return { instructions: Number(totals[1]), answered };
  } finally {
    rmSync(out, { force: true });
  }
}

/** One pair of runs: the instructions of one verification, checked against the answers given. */
async function perVerification(scenario) {
  const short = await count(scenario, SHORT);
  const long = await count(scenario, LONG);
  const statuses = long.answered.measured;
  if (statuses[EXPECTED_STATUS[scenario]] !== LONG) throw new Error(`${scenario}: expected ${LONG} answers ${EXPECTED_STATUS[scenario]}, got ${JSON.stringify(statuses)}`);
  return { instructions: (long.instructions - short.instructions) / (LONG - SHORT), statuses };
}

const median = (sorted) => (sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);

/** One scenario's median of `runs` pairs, with its spread. */
async function countScenario(scenario, runs, log) {
  const counts = [];
  let statuses;
  for (let i = 0; i < runs; i++) {
    const pair = await perVerification(scenario);
    log(`    ${scenario} pair ${i + 1} of ${runs}: ${Math.round(pair.instructions).toLocaleString('en')}`);
    counts.push(pair.instructions);
    statuses = pair.statuses;
  }
  const sorted = counts.map(Math.round).sort((a, b) => a - b);
  const mid = median(sorted);
  const spreadPercent = Math.max(...sorted.map((n) => Math.abs(n - mid))) / mid * 100;
  const range = `${sorted[0].toLocaleString('en')}–${sorted[sorted.length - 1].toLocaleString('en')}`;
  log(`  ${scenario.padEnd(10)} ${Math.round(mid).toLocaleString('en').padStart(9)} instructions per verification, median of ${runs} (${range}, ±${spreadPercent.toFixed(1)} %; answers ${JSON.stringify(statuses)})`);
  return { scenario, perVerification: Math.round(mid), runs: sorted, spreadPercent: Number(spreadPercent.toFixed(1)), statuses };
}

/**
 * Counts the scenarios one after another, or all at once with `parallel` (one valgrind each):
 * the count does not depend on what else runs, only the time it takes does.
 */
export async function countInstructions(log = console.log, only = SCENARIOS, runs = DEFAULT_RUNS, parallel = false) {
  const rows = [];
  if (parallel) rows.push(...(await Promise.all(only.map((scenario) => countScenario(scenario, runs, log)))));
  else for (const scenario of only) rows.push(await countScenario(scenario, runs, log));
  return { method: `callgrind Ir, median of ${runs} × (runs of ${LONG} − ${SHORT} iterations) / ${LONG - SHORT}, node ${NODE_FLAGS.join(' ')}, ${process.version}`, scenarios: rows };
}

/** Counts every scenario (or those named), prints them and writes bench/results/instructions-latest.json. */
export async function reportInstructions(only = SCENARIOS, runs = DEFAULT_RUNS, parallel = false) {
  console.log('Instructions per verification (valgrind --tool=callgrind, in-process loop through the verify lane)');
  const result = await countInstructions(console.log, only, runs, parallel);
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'instructions-latest.json'), `${JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2)}\n`);
  return result;
}

/** `--runs <n>` from the command line, or the default. */
export function runsFrom(argv) {
  const at = argv.indexOf('--runs');
  if (at === -1) return DEFAULT_RUNS;
  const runs = Number(argv[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got "${argv[at + 1]}")`);
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const only = argv.filter((arg) => SCENARIOS.includes(arg));
  await reportInstructions(only.length > 0 ? only : SCENARIOS, runsFrom(argv), argv.includes('--parallel'));
}
