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

  it('bounds the batched lookups of an address past its failure budget: 500 ids a query, 5,000 queued', () => {
    expect(parseConfig({}).ipLimits).toMatchObject({ overBudgetBatch: 500, overBudgetQueue: 5000, overBudgetQueries: 4 });
    const set = parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH: '100', IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE: '0' });
    expect(set.ipLimits).toMatchObject({ overBudgetBatch: 100, overBudgetQueue: 0 });
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH: '0' })).toThrow(/IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH/);
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH: '10001' })).toThrow(/IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH/);
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE: '-1' })).toThrow(/IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE/);
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE: 'many' })).toThrow(/IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE/);
    expect(parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUERIES: '1' }).ipLimits.overBudgetQueries).toBe(1);
    for (const bad of ['0', '101', 'x']) expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUERIES: bad })).toThrow(/IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUERIES/);
  });

  it('refuses the replaced IP_RATE_LIMIT_VERIFY_OVER_BUDGET_LOOKUPS, naming its replacements', () => {
    expect(() => parseConfig({ IP_RATE_LIMIT_VERIFY_OVER_BUDGET_LOOKUPS: '4' })).toThrow(/replaced by IP_RATE_LIMIT_VERIFY_OVER_BUDGET_BATCH and IP_RATE_LIMIT_VERIFY_OVER_BUDGET_QUEUE/);
  });
});

describe('parseConfig: metrics', () => {
  it('serves /metrics on the app without a token by default', () => {
    expect(parseConfig({}).metrics).toEqual({ token: undefined, port: undefined, host: '0.0.0.0' });
  });

  it('reads METRICS_TOKEN, METRICS_PORT and METRICS_HOST (which defaults to HOST)', () => {
    const config = parseConfig({ METRICS_TOKEN: 'a-long-enough-token', METRICS_PORT: '9464', HOST: '10.0.0.5' });
    expect(config.metrics).toEqual({ token: 'a-long-enough-token', port: 9464, host: '10.0.0.5' });
    expect(parseConfig({ METRICS_PORT: '9464', METRICS_HOST: '127.0.0.1' }).metrics.host).toBe('127.0.0.1');
  });

  it('refuses a short or spaced METRICS_TOKEN, and a METRICS_PORT equal to PORT or out of range', () => {
    expect(() => parseConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => parseConfig({ METRICS_TOKEN: 'has a space in the middle' })).toThrow(/METRICS_TOKEN/);
    expect(() => parseConfig({ METRICS_PORT: '3000' })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(() => parseConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });
});

describe('parseConfig: webhook delivery retention', () => {
  it('keeps finished deliveries 30 days and prunes hourly by default', () => {
    const { deliveryRetentionDays, pruneIntervalMs } = parseConfig({}).webhooks;
    expect({ deliveryRetentionDays, pruneIntervalMs }).toEqual({ deliveryRetentionDays: 30, pruneIntervalMs: 3_600_000 });
  });

  it('reads WEBHOOK_DELIVERY_RETENTION_DAYS from 1 to 3650 and WEBHOOK_PRUNE_INTERVAL_MS (0 stops the timer)', () => {
    expect(parseConfig({ WEBHOOK_DELIVERY_RETENTION_DAYS: '1' }).webhooks.deliveryRetentionDays).toBe(1);
    expect(parseConfig({ WEBHOOK_DELIVERY_RETENTION_DAYS: '3650' }).webhooks.deliveryRetentionDays).toBe(3650);
    expect(parseConfig({ WEBHOOK_PRUNE_INTERVAL_MS: '0' }).webhooks.pruneIntervalMs).toBe(0);
    for (const bad of ['0', '3651', '7.5', 'forever', '-1']) {
      expect(() => parseConfig({ WEBHOOK_DELIVERY_RETENTION_DAYS: bad })).toThrow(/WEBHOOK_DELIVERY_RETENTION_DAYS must be an integer from 1 to 3650/);
    }
    expect(() => parseConfig({ WEBHOOK_PRUNE_INTERVAL_MS: '86400001' })).toThrow(/WEBHOOK_PRUNE_INTERVAL_MS/);
  });
});
