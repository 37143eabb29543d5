import { describe, expect, it } from 'vitest';
import { credentialRecord } from '../../../core/test-support/credential-record.js';
import type { IdentityRow } from '../store/identities.js';
import type { V2Error } from './errors.js';
import { limitUse, sharedChecks } from './verify-limits.js';

const identity = (ratelimits: IdentityRow['ratelimits']): IdentityRow => ({ id: 'ident_1', workspace_id: 'w', external_id: 'org', meta: null, ratelimits, created_at: new Date(0), updated_at: null });
const keyWith = (name: string, autoApply: boolean) => credentialRecord('pub', { rateLimit: { algorithm: 'sliding_window', limit: 100, windowSeconds: 60, name, autoApply } });
const shared = identity([
  { id: 'a', name: 'requests', limit: 3, duration: 60_000, autoApply: true },
  { id: 'b', name: 'heavy', limit: 1, duration: 1000, autoApply: false },
]);

describe('limitUse: what a verification spends of the key’s and its identity’s limits', () => {
  it('spends auto-applied limits, and the others only when named, with their cost', () => {
    const auto = limitUse(credentialRecord('pub'), shared, undefined);
    expect(auto.shared.map((s) => [s.limit.name, s.cost])).toEqual([['requests', 1]]);
    const named = limitUse(credentialRecord('pub'), shared, [{ name: 'heavy', cost: 5 }, { name: 'requests', cost: 0 }]);
    expect(named.shared.map((s) => [s.limit.name, s.cost])).toEqual([
      ['requests', 0],
      ['heavy', 5],
    ]);
    expect(sharedChecks(shared, named)).toEqual([
      { key: 'rl:identity:ident_1:requests', rule: { type: 'sliding_window', limit: 3, windowMs: 60_000 }, cost: 0 },
      { key: 'rl:identity:ident_1:heavy', rule: { type: 'sliding_window', limit: 1, windowMs: 1000 }, cost: 5 },
    ]);
  });

  it('lets a key’s limit hide the identity’s of the same name', () => {
    const use = limitUse(keyWith('requests', false), shared, [{ name: 'requests', cost: 2 }]);
    expect(use).toMatchObject({ cost: 2, applied: true });
    expect(use.shared).toEqual([]);
  });

  it('refuses a name neither has with a 412, and a limit defined in the request with a 400', () => {
    const status = (fn: () => unknown): number | undefined => {
      try {
        fn();
        return undefined;
      } catch (error) {
        return (error as V2Error).status;
      }
    };
    expect(status(() => limitUse(credentialRecord('pub'), shared, [{ name: 'nope' }]))).toBe(412);
    expect(status(() => limitUse(credentialRecord('pub'), undefined, [{ name: 'requests' }]))).toBe(412);
    expect(status(() => limitUse(credentialRecord('pub'), shared, [{ name: 'nope', limit: 5, duration: 1000 }]))).toBe(400);
  });
});
