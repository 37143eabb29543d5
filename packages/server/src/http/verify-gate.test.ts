import { ManualClock, MemoryLimiter } from '@elyzor/core';
import { afterEach, describe, expect, it } from 'vitest';
import { VerifyGate, type GatePass } from './verify-gate.js';

const limiters: MemoryLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

function gate(limits: Partial<ConstructorParameters<typeof VerifyGate>[1]> = {}): VerifyGate {
  const limiter = new MemoryLimiter(new ManualClock(Date.UTC(2026, 0, 1)));
  limiters.push(limiter);
  return new VerifyGate(limiter, { verify: 1000, verifyFailures: 3, overBudgetLookups: 2, windowSeconds: 60, ...limits });
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

  it('lets an address over budget have only overBudgetLookups lookups in flight', () => {
    const g = gate();
    for (let i = 0; i < 3; i++) fail(g, 'a');
    const passes = Array.from({ length: 4 }, () => g.enter('a'));
    const admit = (pass: GatePass): (() => void) | null => (pass.kind === 'over_budget' ? pass.admitLookup() : null);
    const first = admit(passes[0] as GatePass);
    const second = admit(passes[1] as GatePass);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(admit(passes[2] as GatePass)).toBeNull();
    expect(g.lookupsInFlight('a')).toBe(2);
    first?.();
    first?.();
    expect(g.lookupsInFlight('a')).toBe(1);
    const third = admit(passes[3] as GatePass);
    expect(third).not.toBeNull();
    second?.();
    third?.();
    expect(g.lookupsInFlight('a')).toBe(0);
  });

  it('looks nothing up over budget when overBudgetLookups is 0', () => {
    const g = gate({ overBudgetLookups: 0 });
    for (let i = 0; i < 3; i++) fail(g, 'a');
    const pass = g.enter('a');
    expect(pass.kind === 'over_budget' ? pass.admitLookup() : 'not over budget').toBeNull();
  });
});
