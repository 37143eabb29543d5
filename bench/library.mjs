/**
 * `npm run bench -- --library`: the embeddable library (@elyzor/keys) in process.
 *
 *   ceiling   SHA-256 hex of the key + Map.get of the digest: the least an in-process verify can do
 *   verify    `await keys.verify(key)` of one valid key, memory store, cache on (the library's
 *             defaults otherwise, autoTrackUsage included), and once more with autoTrackUsage off
 *   heap      heap used per 100,000 keys in the MemoryStore, after a full GC
 *
 * The ceiling and the library are measured in the same run, alternating rounds, and the ratio is
 * of their medians. Output: a table on stdout and bench/results/library-latest.json.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createKeys, MemoryStore } from '../packages/keys/dist/esm/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const ROUNDS = 7;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Calls per second of `fn` over about `ms` milliseconds, in batches of `batch`. */
async function rate(fn, ms = 400, batch = 2000) {
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < batch; i++) await fn();
    calls += batch;
  }
  return calls / ((performance.now() - started) / 1000);
}

function rateSync(fn, ms = 400, batch = 2000) {
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
  }
  return calls / ((performance.now() - started) / 1000);
}

export async function runLibraryBench() {
  // The ceiling: what a verify cannot avoid (hash the presented key, look the digest up).
  const key = `sk_${randomBytes(24).toString('base64url').slice(0, 32)}`;
  const map = new Map([[createHash('sha256').update(key).digest('hex'), { id: 'x' }]]);
  for (let i = 0; i < 10_000; i++) map.set(createHash('sha256').update(String(i)).digest('hex'), { id: String(i) });
  let sink = 0;
  const ceiling = () => {
    if (map.get(createHash('sha256').update(key).digest('hex')) !== undefined) sink++;
  };

  const tracked = createKeys({ prefix: 'sk_', cache: true });
  const untracked = createKeys({ prefix: 'sk_', cache: true, autoTrackUsage: false });
  const a = (await tracked.create({ ownerId: 'bench' })).key;
  const b = (await untracked.create({ ownerId: 'bench' })).key;
  if (!(await tracked.verify(a)).valid || !(await untracked.verify(b)).valid) throw new Error('the bench keys do not verify');

  const rounds = { ceiling: [], verify: [], verifyUntracked: [] };
  rateSync(ceiling, 200);
  await rate(() => tracked.verify(a), 200);
  for (let r = 0; r < ROUNDS; r++) {
    rounds.ceiling.push(rateSync(ceiling));
    rounds.verify.push(await rate(() => tracked.verify(a)));
    rounds.verifyUntracked.push(await rate(() => untracked.verify(b)));
    await new Promise((resolve) => setImmediate(resolve)); // let the usage writes land
  }
  if (sink === 0) throw new Error('unreachable');

  // Heap per 100,000 stored keys.
  const storage = new MemoryStore();
  const store = createKeys({ prefix: 'sk_', storage, autoTrackUsage: false });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100_000; i++) await store.create({ ownerId: `owner_${i % 1000}`, scopes: ['read'], name: `key ${i}` });
  gc();
  const heapPer100k = process.memoryUsage().heapUsed - before;
  if (storage.size !== 100_000) throw new Error('not every key was stored');

  const result = {
    at: new Date().toISOString(),
    host: hostname(),
    cpus: cpus().length,
    node: process.version,
    ceilingPerSecond: Math.round(median(rounds.ceiling)),
    verifyPerSecond: Math.round(median(rounds.verify)),
    verifyUntrackedPerSecond: Math.round(median(rounds.verifyUntracked)),
    ratio: median(rounds.verify) / median(rounds.ceiling),
    ratioUntracked: median(rounds.verifyUntracked) / median(rounds.ceiling),
    heapBytesPer100kKeys: heapPer100k,
    rounds,
  };

  const f = (n) => Math.round(n).toLocaleString('en-US');
  console.log('\n@elyzor/keys, in process (median of %d rounds)\n', ROUNDS);
  console.log(`  ceiling (SHA-256 + Map.get)           ${f(result.ceilingPerSecond).padStart(12)} /s`);
  console.log(`  verify(), memory store, cache on      ${f(result.verifyPerSecond).padStart(12)} /s   ${result.ratio.toFixed(2)}x the ceiling`);
  console.log(`  the same, autoTrackUsage off          ${f(result.verifyUntrackedPerSecond).padStart(12)} /s   ${result.ratioUntracked.toFixed(2)}x the ceiling`);
  console.log(`  heap per 100,000 stored keys          ${(heapPer100k / 1024 / 1024).toFixed(1).padStart(12)} MB   (${Math.round(heapPer100k / 100_000)} bytes a key)`);

  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'library-latest.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runLibraryBench();
}
