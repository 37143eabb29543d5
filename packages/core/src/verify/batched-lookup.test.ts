import { describe, expect, it } from 'vitest';
import { BatchedLookup } from './batched-lookup.js';

function recordingFetch(known: Record<string, number>) {
  const calls: string[][] = [];
  const fetchMany = (ids: readonly string[]): Promise<Map<string, number>> => {
    calls.push([...ids]);
    return Promise.resolve(new Map(ids.filter((id) => id in known).map((id) => [id, known[id] as number])));
  };
  return { calls, fetchMany };
}

describe('BatchedLookup', () => {
  it('reads the ids asked for in one turn with one query, and answers each caller its own record', async () => {
    const { calls, fetchMany } = recordingFetch({ a: 1, b: 2 });
    const lookup = new BatchedLookup(fetchMany);
    const answers = await Promise.all([lookup.load('a'), lookup.load('b'), lookup.load('missing')]);
    expect(answers).toEqual([1, 2, null]);
    expect(calls).toEqual([['a', 'b', 'missing']]);
  });

  it('asks for an id once however many callers wait for it', async () => {
    const { calls, fetchMany } = recordingFetch({ a: 1 });
    const lookup = new BatchedLookup(fetchMany);
    expect(await Promise.all([lookup.load('a'), lookup.load('a')])).toEqual([1, 1]);
    expect(calls).toEqual([['a']]);
  });

  it('starts a new query for ids asked for after the first one left', async () => {
    const { calls, fetchMany } = recordingFetch({ a: 1, b: 2 });
    const lookup = new BatchedLookup(fetchMany);
    expect(await lookup.load('a')).toBe(1);
    expect(await lookup.load('b')).toBe(2);
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('splits a burst larger than the batch size into several queries', async () => {
    const known = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, i]));
    const { calls, fetchMany } = recordingFetch(known);
    const lookup = new BatchedLookup(fetchMany, 2);
    const answers = await Promise.all(Object.keys(known).map((id) => lookup.load(id)));
    expect(answers).toEqual([0, 1, 2, 3, 4]);
    expect(calls).toEqual([['k0', 'k1'], ['k2', 'k3'], ['k4']]);
  });

  it('fails every caller of a failed query, and the next query is independent of it', async () => {
    let fail = true;
    const lookup = new BatchedLookup<number>((ids) => (fail ? Promise.reject(new Error('database down')) : Promise.resolve(new Map(ids.map((id) => [id, 7])))));
    const failed = await Promise.allSettled([lookup.load('a'), lookup.load('b')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await lookup.load('a')).toBe(7);
  });
});
