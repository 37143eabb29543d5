import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config.js';
import { timeoutCheckInterval } from './node-server.js';

describe('HTTP server limits', () => {
  it('defaults to seconds, not minutes, and a connection cap', () => {
    expect(parseConfig({}).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000, maxConnections: 10_000 });
  });

  it('refuses a headers timeout longer than the request timeout, and timeouts of 0', () => {
    expect(() => parseConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(ConfigError);
    expect(() => parseConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(ConfigError);
    expect(() => parseConfig({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
  });

  it('checks for expired requests often enough that the overshoot stays small', () => {
    expect(timeoutCheckInterval(parseConfig({}).http)).toBe(1000);
    expect(timeoutCheckInterval({ requestTimeoutMs: 600, headersTimeoutMs: 300, keepAliveTimeoutMs: 300, maxConnections: 1 })).toBe(75);
    expect(timeoutCheckInterval({ requestTimeoutMs: 100, headersTimeoutMs: 100, keepAliveTimeoutMs: 100, maxConnections: 1 })).toBe(50);
  });
});
