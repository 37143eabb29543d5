/**
 * `node --expose-gc bench/cache-memory.mjs [records]`: the heap a cached credential costs, in
 * process. Issues `records` keys (20,000 by default) through the credential verbs of an embedded
 * deployment (bench/lib/lane-loop.mjs), verifies each twice through the very verify lane the
 * server runs (a cache miss, then a hit: whatever the path keeps per record is built by then),
 * and reads the heap after a full collection: once the keys are issued, after each round and once
 * the cache is emptied. The
 * store builds a fresh record on every lookup, as the SQL store does, so emptying the cache frees
 * each record together with whatever was kept beside it (limit plans, answer texts). Prints one
 * JSON line.
 */
import { buildLane, drive, request } from './lib/lane-loop.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const records = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(records) || records <= 0) throw new Error(`records must be a positive integer (got "${process.argv[2]}")`);

const { lane, deps } = await buildLane();
const requests = [];
for (let i = 0; i < records; i++) {
  const issued = await deps.credentials.create({ ctx: { actor: { type: 'user', userId: 'u1' } }, input: { projectId: '00000000-0000-4000-8000-000000000001', kind: 'key', scopes: ['read'] } });
  requests.push(request(issued.key ?? issued.token));
}
if (deps.config.cache.maxEntries < records + 1) throw new Error(`CACHE_MAX_ENTRIES (${deps.config.cache.maxEntries}) holds fewer than ${records} records`);

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const issued = heap();
const statuses = [await drive(lane, requests, records)];
const once = heap();
statuses.push(await drive(lane, requests, records));
const twice = heap();
const cached = deps.cache.size;
deps.cache.clear();
const emptied = heap();
const perRecord = (bytes) => Math.round(bytes / records);
console.log(
  JSON.stringify({
    records,
    cached,
    statuses,
    heapIssuedMb: +(issued / 2 ** 20).toFixed(1),
    // What the first round added (cache entries and records, limiter and usage state), the second
    // (what is kept from a record's second verification on), and what emptying the cache freed.
    bytesPerRecord: { firstRound: perRecord(once - issued), secondRound: perRecord(twice - once), freedByEmptyingCache: perRecord(twice - emptied) },
  }),
);
