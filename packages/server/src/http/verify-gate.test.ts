import { ManualClock, MemoryLimiter, type CredentialRecord } from '@elyzor/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FindRecords } from './over-budget-lookups.js';
import { VerifyGate, type GatePass } from './verify-gate.js';

const limiters: MemoryLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

/** The ids of each store query, in order; every query waits until `release` is called. */
interface Store {
  queries: string[][];
  find: FindRecords;
  release: () => void;
}

function store(known: ReadonlyMap<string, CredentialRecord> = new Map()): Store {
  const queries: string[][] = [];
  const held: Array<() => void> = [];
  const find: FindRecords = (publicIds) => {
    queries.push([...publicIds]);
    return new Promise((resolve) => held.push(() => resolve(new Map([...known].filter(([id]) => publicIds.includes(id))))));
  };
  return { queries, find, release: () => held.splice(0).forEach((answer) => answer()) };
}

function gate(limits: Partial<ConstructorParameters<typeof VerifyGate>[1]> = {}, find: FindRecords = store().find): VerifyGate {
  const limiter = new MemoryLimiter(new ManualClock(Date.UTC(2026, 0, 1)));
  limiters.push(limiter);
  return new VerifyGate(limiter, { verify: 1000, verifyFailures: 3, overBudgetBatch: 4, overBudgetQueue: 10, overBudgetQueries: 4, windowSeconds: 60, ...limits }, find);
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** After a query answered: its handlers run, then the next batch is dispatched at the end of a turn. */
const afterAnswer = async (): Promise<void> => {
  await turn();
  await turn();
};

/** The lookup an over-budget pass admits, or null. */
function admit(pass: GatePass): ((publicId: string) => Promise<CredentialRecord | null>) | null {
  if (pass.kind !== 'over_budget') throw new Error(`the pass is ${pass.kind}`);
  return pass.admitLookup();
}

/** Spends one failure unit for good: a verification that failed. */
function fail(g: VerifyGate, ip: string): GatePass {
  const pass = g.enter(ip);
  g.settle(ip, pass, true);
  return pass;
}

describe('VerifyGate', () => {
  it('is open within the failure budget, and over budget once it is spent, per address', () => {
    const g = gate();
    for (let i = 0; i < 3; i++) expect(fail(g, 'a').kind).toBe('open');
    expect(g.enter('a')).toMatchObject({ kind: 'over_budget', retryAfter: expect.any(Number) });
    expect(g.enter('b').kind).toBe('open');
  });

  it('gives the failure unit back to a verification that did not fail', () => {
    const g = gate();
    for (let i = 0; i < 10; i++) {
      const pass = g.enter('a');
      expect(pass.kind).toBe('open');
      g.settle('a', pass, false);
    }
  });

  it('gives the failure unit back to a verification that could not be answered (503)', () => {
    const g = gate();
    // What answerVerification does when the verifier throws (the store out of reach).
    for (let i = 0; i < 10; i++) g.settle('a', g.enter('a'), false);
    for (let i = 0; i < 3; i++) expect(fail(g, 'a').kind).toBe('open');
    expect(g.enter('a').kind).toBe('over_budget');
  });

  it('refuses outright once the verify budget itself is spent, over the failure budget or not', () => {
    const g = gate({ verify: 5 });
    for (let i = 0; i < 3; i++) fail(g, 'a');
    expect(g.enter('a').kind).toBe('over_budget');
    expect(g.enter('a').kind).toBe('over_budget');
    expect(g.enter('a')).toMatchObject({ kind: 'refused', retryAfter: expect.any(Number) });
  });

  it('has no verify budget when it is off (null): one address passes far beyond the old default of 100,000', () => {
    const g = gate({ verify: null });
    for (let i = 0; i < 150_000; i++) {
      const pass = g.enter('a');
      if (pass.kind !== 'open') throw new Error(`verification ${i + 1} was ${pass.kind}`);
      g.settle('a', pass, false);
    }
    // The failure budget is still on.
    for (let i = 0; i < 3; i++) expect(fail(g, 'a').kind).toBe('open');
    expect(g.enter('a').kind).toBe('over_budget');
  });

  it('reads the misses of an address over budget in batches: one query per turn, one in flight, at most overBudgetBatch ids', async () => {
    const record = { publicId: 'real' } as CredentialRecord;
    const s = store(new Map([['real', record]]));
    const g = gate({ overBudgetQueue: 100 }, s.find);
    for (let i = 0; i < 3; i++) fail(g, 'a');
    const ids = ['real', ...Array.from({ length: 9 }, (_, i) => `junk${i}`)];
    const answers = ids.map((id) => admit(g.enter('a'))?.(id));
    expect(s.queries).toEqual([]);
    await turn();
    // One query of the first 4; the rest wait for it, whatever the turns bring.
    expect(s.queries).toEqual([ids.slice(0, 4)]);
    await turn();
    expect(s.queries).toHaveLength(1);
    expect(g.lookups.queued('a')).toBe(10);
    s.release();
    await afterAnswer();
    expect(s.queries).toEqual([ids.slice(0, 4), ids.slice(4, 8)]);
    s.release();
    await afterAnswer();
    s.release();
    expect(s.queries).toEqual([ids.slice(0, 4), ids.slice(4, 8), ids.slice(8)]);
    expect(await Promise.all(answers)).toEqual([record, ...Array.from({ length: 9 }, () => null)]);
    expect(g.lookups.queued('a')).toBe(0);
    expect(g.lookups.queries).toBe(3);
  });

  it('refuses a lookup only once the address has overBudgetQueue ids queued, and not for another address', async () => {
    const s = store();
    const g = gate({ overBudgetQueue: 5 }, s.find);
    for (let i = 0; i < 3; i++) {
      fail(g, 'a');
      fail(g, 'b');
    }
    const answers = Array.from({ length: 5 }, (_, i) => admit(g.enter('a'))?.(`a${i}`));
    expect(answers.every((answer) => answer !== undefined)).toBe(true);
    expect(admit(g.enter('a'))).toBeNull();
    expect(admit(g.enter('b'))).not.toBeNull();
    await turn();
    // Ids being read still count: the queue bounds what the address has in the store's hands.
    expect(admit(g.enter('a'))).toBeNull();
    // Batches of 4: two queries.
    s.release();
    await afterAnswer();
    s.release();
    await Promise.all(answers);
    expect(admit(g.enter('a'))).not.toBeNull();
  });

  it('rejects every lookup of a batch whose query fails, and reads the next batch after it', async () => {
    let calls = 0;
    const find: FindRecords = () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('store unavailable')) : Promise.resolve(new Map());
    };
    const g = gate({ overBudgetBatch: 2 }, find);
    for (let i = 0; i < 3; i++) fail(g, 'a');
    const answers = ['x', 'y', 'z'].map((id) => admit(g.enter('a'))?.(id));
    await expect(answers[0]).rejects.toThrow('store unavailable');
    await expect(answers[1]).rejects.toThrow('store unavailable');
    await expect(answers[2]).resolves.toBeNull();
    expect(g.lookups.queued('a')).toBe(0);
  });

  it('has at most overBudgetQueries queries in flight, all addresses together, and gives each freed slot to the address that waited longest', async () => {
    const s = store();
    const g = gate({ overBudgetQueries: 2 }, s.find);
    const addresses = ['a', 'b', 'c', 'd', 'e'];
    for (const ip of addresses) for (let i = 0; i < 3; i++) fail(g, ip);
    const answers = addresses.map((ip) => admit(g.enter(ip))?.(`${ip}-id`));
    await turn();
    expect(s.queries).toEqual([['a-id'], ['b-id']]);
    await turn();
    expect(s.queries).toHaveLength(2);
    s.release();
    await afterAnswer();
    expect(s.queries).toEqual([['a-id'], ['b-id'], ['c-id'], ['d-id']]);
    s.release();
    await afterAnswer();
    expect(s.queries).toHaveLength(5);
    s.release();
    expect(await Promise.all(answers)).toEqual([null, null, null, null, null]);
    expect(g.lookups.peakInFlight).toBe(2);
    for (const ip of addresses) expect(g.lookups.queued(ip)).toBe(0);
  });

  it('looks nothing up over budget when overBudgetQueue is 0', () => {
    const g = gate({ overBudgetQueue: 0 });
    for (let i = 0; i < 3; i++) fail(g, 'a');
    expect(admit(g.enter('a'))).toBeNull();
  });
});
