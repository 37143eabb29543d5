import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('leaves the per-address limit of valid verifications off when IP_RATE_LIMIT_VERIFY is unset, and keeps the failure budget on', () => {
    const config = parseConfig({});
    expect(config.ipLimits.verify).toBeNull();
    expect(config.ipLimits.verifyFailures).toBe(1000);
    expect(parseConfig({ IP_RATE_LIMIT_VERIFY: '' }).ipLimits.verify).toBeNull();
  });

  it('turns the per-address limit of verifications on with a number', () => {
    expect(parseConfig({ IP_RATE_LIMIT_VERIFY: '5000' }).ipLimits.verify).toBe(5000);
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY: '0' })).toThrow(ConfigError);
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY: 'off' })).toThrow(/IP_RATE_LIMIT_VERIFY/);
  });
});
