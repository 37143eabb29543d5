import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../src/index.js';

/**
 * `verifyWebhook` against the reference implementation: payloads signed by the `standardwebhooks`
 * package verify, and anything altered, stale or signed with another secret does not.
 */
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const reference = new Webhook(secret);
const payload = JSON.stringify({ type: 'key.revoked', timestamp: '2026-12-01T10:00:00.000Z', data: { projectId: 'p', keyId: 'k', prefix: 'sk_live_x' } });

function signed(body = payload, at = new Date(), id = 'msg_2Lk9'): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': reference.sign(id, at, body) };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as Error).message;
}

describe('verifyWebhook', () => {
  it('verifies what standardwebhooks signs and returns the parsed payload (string, bytes, Headers)', async () => {
    const headers = signed();
    expect(await verifyWebhook(payload, headers, secret)).toEqual(JSON.parse(payload));
    expect(await verifyWebhook(new TextEncoder().encode(payload), new Headers(headers), secret)).toEqual(JSON.parse(payload));
    // And the reference accepts the same delivery (the fixture is sound).
    expect(reference.verify(payload, headers)).toEqual(JSON.parse(payload));
  });

  it('accepts any matching signature among several (a secret rotation sends two)', async () => {
    const other = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
    const at = new Date();
    const headers = signed(payload, at);
    headers['webhook-signature'] = `${other.sign('msg_2Lk9', at, payload)} ${headers['webhook-signature']}`;
    expect(await verifyWebhook(payload, headers, secret)).toEqual(JSON.parse(payload));
  });

  it('refuses a changed body, id or timestamp, another secret, a missing header', async () => {
    const headers = signed();
    expect(await refusal(verifyWebhook(payload.replace('revoked', 'created'), headers, secret))).toBe('No matching signature');
    expect(await refusal(verifyWebhook(payload, { ...headers, 'webhook-id': 'msg_other' }, secret))).toBe('No matching signature');
    expect(await refusal(verifyWebhook(payload, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) }, secret))).toBe('No matching signature');
    expect(await refusal(verifyWebhook(payload, headers, `whsec_${randomBytes(24).toString('base64')}`))).toBe('No matching signature');
    expect(await refusal(verifyWebhook(payload, { ...headers, 'webhook-signature': headers['webhook-signature']?.replace('v1,', 'v2,') ?? '' }, secret))).toBe('No matching signature');
    const { 'webhook-signature': _, ...unsigned } = headers;
    expect(await refusal(verifyWebhook(payload, unsigned, secret))).toMatch(/^Missing/);
  });

  it('refuses timestamps more than 5 minutes off, either way (like the reference)', async () => {
    const now = Date.now();
    for (const offset of [-301_000, 301_000]) {
      const headers = signed(payload, new Date(now + offset));
      expect(await refusal(verifyWebhook(payload, headers, secret, { now }))).toBe('Timestamp outside the tolerance');
      expect(() => reference.verify(payload, headers)).toThrow();
    }
    for (const offset of [-299_000, 299_000]) expect(await verifyWebhook(payload, signed(payload, new Date(now + offset)), secret, { now })).toBeDefined();
  });
});
