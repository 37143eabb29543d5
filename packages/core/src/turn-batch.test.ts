import { describe, expect, it } from 'vitest';
import { TurnBatch } from './turn-batch.js';

/** Doubles its inputs and remembers each batch it was given. */
function doubling() {
  const batches: number[][] = [];
  const run = (inputs: readonly number[]): Promise<number[]> => {
    batches.push([...inputs]);
    return Promise.resolve(inputs.map((n) => n * 2));
  };
  return { batches, run };
}

describe('TurnBatch', () => {
  it('runs what was added in one turn as one batch, and answers each caller by position', async () => {
    const { batches, run } = doubling();
    const batch = new TurnBatch(run);
    expect(await Promise.all([batch.add(1), batch.add(2), batch.add(3)])).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('starts another batch for what is added after the first one left', async () => {
    const { batches, run } = doubling();
    const batch = new TurnBatch(run);
    expect(await batch.add(1)).toBe(2);
    expect(await batch.add(2)).toBe(4);
    expect(batches).toEqual([[1], [2]]);
  });

  it('splits a burst larger than the batch size', async () => {
    const { batches, run } = doubling();
    const batch = new TurnBatch(run, 2);
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)))).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails every caller of a failed batch, and the next batch is independent of it', async () => {
    let fail = true;
    const batch = new TurnBatch<number, number>((inputs) => (fail ? Promise.reject(new Error('backend down')) : Promise.resolve(inputs.map((n) => n + 1))));
    const failed = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batch.add(1)).toBe(2);
  });

  it('fails the batch rather than answer anyone wrongly when the run gives the wrong number of answers', async () => {
    const batch = new TurnBatch<number, number>(() => Promise.resolve([1]));
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('with maxInFlight, runs no more batches at once; what arrives meanwhile leaves as one batch when one ends', async () => {
    const batches: number[][] = [];
    const gates: Array<() => void> = [];
    let running = 0;
    let most = 0;
    const batch = new TurnBatch<number, number>(
      (inputs) => {
        batches.push([...inputs]);
        running++;
        most = Math.max(most, running);
        return new Promise((resolve) => gates.push(() => (running--, resolve(inputs.map((n) => -n)))));
      },
      256,
      1,
    );
    const first = batch.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    // Added over several turns while the first batch runs: they wait, then go together.
    const later: Array<Promise<number>> = [];
    for (let turn = 2; turn <= 5; turn++) {
      later.push(batch.add(turn));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(batches).toEqual([[1]]);
    gates.shift()?.();
    expect(await first).toBe(-1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
    gates.shift()?.();
    expect(await Promise.all(later)).toEqual([-2, -3, -4, -5]);
    expect(most).toBe(1);
  });

  it('with maxInFlight, a failed batch frees its place for the next', async () => {
    let calls = 0;
    const batch = new TurnBatch<number, number>((inputs) => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(inputs)), 256, 1);
    await expect(batch.add(1)).rejects.toThrow('down');
    expect(await batch.add(2)).toBe(2);
  });
});
