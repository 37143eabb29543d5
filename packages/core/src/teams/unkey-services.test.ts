import { describe, expect, it } from 'vitest';
import { isPermission } from './permissions.js';
import { allowsIdentityAction, allowsRatelimitAction } from './unkey-services.js';

describe("Unkey's identity.* and ratelimit.* permissions", () => {
  it('are of the root-key grammar; unknown actions and targets are refused', () => {
    for (const ok of ['identity.*.create_identity', 'identity.*.delete_identity', 'ratelimit.*.limit', 'ratelimit.email.set_override', 'ratelimit.0b9f6b0e-8f5c-4a55-9d7e-3d2a2b1c0f00.read_override', 'ratelimit.*.create_namespace']) {
      expect(isPermission(ok)).toBe(true);
    }
    for (const bad of ['identity.abc.create_identity', 'identity.*.verify_key', 'identity.*', 'ratelimit.*.limit.extra', 'ratelimit.a b.limit', 'ratelimit.*.drop', 'ratelimit..limit']) {
      expect(isPermission(bad)).toBe(false);
    }
  });

  it('allow a namespace by its name, its id (any case) or *', () => {
    const id = '0B9F6B0E-8F5C-4A55-9D7E-3D2A2B1C0F00';
    expect(allowsRatelimitAction(['ratelimit.email.limit'], { name: 'email' }, 'limit')).toBe(true);
    expect(allowsRatelimitAction(['ratelimit.email.limit'], { name: 'sms' }, 'limit')).toBe(false);
    expect(allowsRatelimitAction(['ratelimit.email.limit'], { name: 'email' }, 'set_override')).toBe(false);
    expect(allowsRatelimitAction([`ratelimit.${id}.limit`], { id: id.toLowerCase(), name: 'sms' }, 'limit')).toBe(true);
    expect(allowsRatelimitAction(['ratelimit.*.limit'], { name: 'anything' }, 'limit')).toBe(true);
    expect(allowsIdentityAction(['identity.*.read_identity'], 'read_identity')).toBe(true);
    expect(allowsIdentityAction(['identity.*.read_identity'], 'update_identity')).toBe(false);
  });
});
