import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { EgressRefused, resolveTarget } from './egress.js';

export const SNIPPET_BYTES = 1024;

export interface SendResult {
  /** The receiver's status, or null when there was no answer. */
  statusCode: number | null;
  /** `timeout`, `refused: …` (egress check) or a connection error; null with an answer. */
  error: string | null;
  /** The first `SNIPPET_BYTES` of the answer's body. */
  snippet: string | null;
}

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

/**
 * POSTs one delivery. The host is resolved and checked first (egress.ts), and the connection
 * goes to the address that was checked (a pinned `lookup`), so a DNS answer that changes in
 * between cannot lead elsewhere; TLS still checks the certificate against the URL's host name.
 * Redirects are not followed (a 3xx is an answer like any other: not a 2xx, so retried).
 * `timeoutMs` bounds the whole exchange, the body's first kilobyte included.
 */
export async function sendWebhook(options: SendOptions): Promise<SendResult> {
  let target;
  try {
    target = await resolveTarget(options.url, options.allowPrivate);
  } catch (error) {
    if (error instanceof EgressRefused) return { statusCode: null, error: `refused: ${error.message}`, snippet: null };
    throw error;
  }
  const { url, address, family } = target;
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all === true) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(
      url,
      {
        method: 'POST',
        lookup: pinned,
        headers: { ...options.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)), 'user-agent': 'Elyzor-Webhooks/1' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (): void => {
          // Shown as text: NUL, which PostgreSQL text cannot hold, becomes U+FFFD like any undecodable byte.
          const snippet = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replaceAll('\u0000', '\ufffd');
          finish({ statusCode: res.statusCode ?? null, error: null, snippet });
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          if (size < SNIPPET_BYTES) chunks.push(chunk);
          size += chunk.length;
          if (size >= SNIPPET_BYTES) done();
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, error: 'timeout', snippet: null });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error) => finish({ statusCode: null, error: error.message.slice(0, 200), snippet: null }));
    req.end(options.body);
  });
}
