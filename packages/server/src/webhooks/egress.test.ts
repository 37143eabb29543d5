import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isForbiddenAddress } from './egress.js';

describe('egress: addresses a webhook may not reach', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('wants https, no credentials in the URL and no private literal host unless allowed', () => {
    expect(() => checkWebhookUrl('http://example.com/hook', false)).toThrow('https');
    expect(() => checkWebhookUrl('https://user:pw@example.com/hook', false)).toThrow('credentials');
    expect(() => checkWebhookUrl('https://127.0.0.1/hook', false)).toThrow('private');
    expect(() => checkWebhookUrl('https://[::1]/hook', false)).toThrow('private');
    expect(() => checkWebhookUrl('https://localhost/hook', false)).toThrow('private');
    expect(() => checkWebhookUrl('ftp://example.com', true)).toThrow('https');
    expect(checkWebhookUrl('https://example.com/hook', false).hostname).toBe('example.com');
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', true).port).toBe('9000');
  });
});
