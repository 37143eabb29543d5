import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers the next request: a status (and body), or never (a hung receiver). */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/**
 * A real local HTTP receiver for webhook tests: records every request and answers from a queue
 * (200 once the queue is empty).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly answers: Answer[] = [];
  private readonly server: Server;
  private readonly hung = new Set<() => void>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const answer = this.answers.shift() ?? { status: 200, body: 'ok' };
        if (answer === 'hang') {
          const release = (): void => void res.destroy();
          this.hung.add(release);
          return;
        }
        res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  answer(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  async close(): Promise<void> {
    for (const release of this.hung) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
