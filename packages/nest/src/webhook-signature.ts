import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';

/**
 * The Standard Webhooks signature (the scheme Elyzor's own webhooks use): `v1,` and the base64
 * HMAC-SHA256 of `<id>.<timestamp>.<body>`. A `whsec_…` secret is keyed by its base64-decoded
 * part, so `verifyWebhook` of `@elyzor/sdk` (or any Standard Webhooks library) checks it; any
 * other secret (as nest-api-key-auth's examples write them) is keyed by its UTF-8 bytes.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}
