import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook } from './signature.js';
import { SecretBox } from './secret-box.js';

describe('webhook signatures (Standard Webhooks)', () => {
  it('match the reference implementation, which verifies them unchanged', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'key.created', timestamp: new Date().toISOString(), data: { a: 1 } });
    const signature = signWebhook(secret, id, timestamp, body);
    const reference = new Webhook(secret);
    expect(signature).toBe(reference.sign(id, new Date(timestamp * 1000), body));
    expect(reference.verify(body, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature })).toEqual(JSON.parse(body));
  });

  it('seal secrets at rest, readable only under the same key', () => {
    const box = new SecretBox('k'.repeat(32));
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(new SecretBox('k'.repeat(32)).open(sealed)).toBe('whsec_abc');
    expect(() => new SecretBox('x'.repeat(32)).open(sealed)).toThrow();
  });
});
