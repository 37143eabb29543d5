import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { event: string; timestamp: string; data: Record<string, unknown> };
}

/** A real HTTP receiver of webhook deliveries on 127.0.0.1; `failNext(n)` answers the next n with 500. */
export interface WebhookReceiver {
  url: string;
  received: Received[];
  failNext(n: number): void;
  /** The deliveries of `event`, optionally for one key. */
  of(event: string, keyId?: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  let failures = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failures > 0) {
        failures--;
        response.writeHead(500).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body, json: JSON.parse(body) as Received['json'] });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/webhooks/api-keys`,
    received,
    failNext: (n) => void (failures = n),
    of: (event, keyId) => received.filter((r) => r.json.event === event && (keyId === undefined || r.json.data.keyId === keyId)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
