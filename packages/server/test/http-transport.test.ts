import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, startApp, type TestApp } from './helpers/harness.js';

/**
 * What reaches the server before Fastify does: requests its HTTP parser refuses, clients that
 * are too slow, and too many connections. Injection bypasses the parser, so these tests talk to
 * a listening app over real TCP sockets.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection (FIN or reset) after its answer. */
  closed: boolean;
}

async function listen(t: TestApp): Promise<number> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return (t.app.server.address() as AddressInfo).port;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends on `socket` until it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    // A reset after the answer is still a close; what was received is what counts.
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(text));
  });
}

function parse(text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text : text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: split === -1 ? '' : text.slice(split + 4), closed: true };
}

/** Sends raw bytes on a new connection and reads the answer up to the close. */
async function exchange(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  const socket = await open(port);
  const closed = untilClosed(socket);
  // The server may answer and close before it has read everything; that is fine here.
  socket.write(bytes, () => undefined);
  return parse(await closed);
}

/** The JSON error envelope, with a generated request id that matches the header. */
function expectEnvelope(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status, JSON.stringify(answer)).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.headers.connection).toBe('close');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toEqual({ error: code, message: expect.any(String), requestId: expect.stringMatching(UUID) });
  expect(body.requestId).toBe(answer.headers['x-request-id']);
  expect(answer.closed).toBe(true);
}

describe(`requests the HTTP parser refuses (${backend})`, () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startApp();
    port = await listen(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (headers: string, body = ''): string => `POST /v1/verify HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n${body}`;
  const malformed: Array<[string, string]> = [
    ['a Content-Length that is not a number', post('Content-Length: abc\r\n', '{}')],
    ['two different Content-Length headers', post('Content-Length: 2\r\nContent-Length: 3\r\n', '{}')],
    ['Content-Length with Transfer-Encoding', post('Content-Length: 2\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n')],
    ['an obs-fold continuation line', post('Content-Type: application/json\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n', '{}')],
    ['a space in a header name', post('Bad Header: x\r\n')],
    ['an unknown transfer coding', post('Transfer-Encoding: gzip, chunked, x\r\n', '0\r\n\r\n')],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
  ];

  it.each(malformed)('answers %s with 400 validation_error in the envelope, then closes', async (_case, bytes) => {
    expectEnvelope(await exchange(port, bytes), 400, 'validation_error');
  });

  it('answers a header block over 16 KB with 431 header_too_large in the envelope, then closes', async () => {
    expectEnvelope(await exchange(port, post(`X-Big: ${'a'.repeat(17 * 1024)}\r\n`)), 431, 'header_too_large');
  });

  it('still serves a well-formed request on a fresh connection afterwards', async () => {
    const answer = await exchange(port, 'GET /v1/no-such-route HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'not_found' });
  });
});

describe(`slow clients and too many connections (${backend})`, () => {
  let t: TestApp;
  let port: number;
  const MAX_CONNECTIONS = 3;
  beforeAll(async () => {
    t = await startApp({
      env: {
        HTTP_HEADERS_TIMEOUT_MS: '300',
        HTTP_REQUEST_TIMEOUT_MS: '600',
        // Longer than the headers timeout: an idle keep-alive connection is not a slow request.
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '900',
        HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      },
    });
    port = await listen(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('applies the configured timeouts and cap to the server', () => {
    const { server } = t.app;
    expect({ headers: server.headersTimeout, request: server.requestTimeout, keepAlive: server.keepAliveTimeout, max: server.maxConnections }).toEqual({
      headers: 300,
      request: 600,
      keepAlive: 900,
      max: MAX_CONNECTIONS,
    });
  });

  it('answers half a header block with 408 request_timeout in the envelope, then closes', async () => {
    expectEnvelope(await exchange(port, 'POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nAuthor'), 408, 'request_timeout');
  });

  it('answers a body that never arrives in full with 408 request_timeout, then closes', async () => {
    const answer = await exchange(port, 'POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"co');
    expectEnvelope(answer, 408, 'request_timeout');
  });

  it('answers a connection that never sends a request with 408 request_timeout, then closes', async () => {
    const socket = await open(port);
    expectEnvelope(parse(await untilClosed(socket)), 408, 'request_timeout');
  });

  it('closes an idle keep-alive connection after its keep-alive timeout, with nothing more written', async () => {
    const socket = await open(port);
    const closed = untilClosed(socket);
    socket.write('GET /v1/no-such-route HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const text = await closed;
    // One answer only: the headers timeout does not apply between requests (no stray 408).
    expect(text.split('HTTP/1.1 ').length).toBe(2);
    const answer = parse(text);
    expect(answer.status).toBe(404);
    expect(answer.headers.connection).toBe('keep-alive');
  });

  it(`refuses connection ${MAX_CONNECTIONS + 1} while ${MAX_CONNECTIONS} are open, and serves again once one closes`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open(port)));
    // Every held connection is accepted once it has been answered.
    for (const socket of held) {
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('GET /v1/no-such-route HTTP/1.1\r\nHost: localhost\r\n\r\n');
      });
    }
    const refused = await open(port);
    expect(await untilClosed(refused)).toBe('');
    const closing = untilClosed(held[0] as Socket);
    held[0]?.destroy();
    await closing;
    // The server counts the closed connection out when it sees the close.
    while ((await new Promise<number>((resolve) => t.app.server.getConnections((_e, n) => resolve(n)))) >= MAX_CONNECTIONS) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answer = await exchange(port, 'GET /v1/no-such-route HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(404);
    for (const socket of held) socket.destroy();
  });
});

describe(`the metrics port's transport (${backend})`, () => {
  let t: TestApp;
  let port: number;
  const MAX_CONNECTIONS = 2;
  beforeAll(async () => {
    t = await startApp({
      env: {
        METRICS_PORT: '0',
        METRICS_HOST: '127.0.0.1',
        HTTP_HEADERS_TIMEOUT_MS: '300',
        HTTP_REQUEST_TIMEOUT_MS: '600',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '900',
        HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      },
    });
    port = t.app.metricsServer?.port ?? 0;
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers half a header block with 408 request_timeout in the envelope, then closes (not after Node’s default minute)', async () => {
    expect(port).toBeGreaterThan(0);
    const started = Date.now();
    expectEnvelope(await exchange(port, 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthor'), 408, 'request_timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers a request its parser refuses with 400 validation_error in the envelope, then closes', async () => {
    expectEnvelope(await exchange(port, 'HELLO\r\n\r\n'), 400, 'validation_error');
  });

  it(`refuses connection ${MAX_CONNECTIONS + 1} while ${MAX_CONNECTIONS} are open`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open(port)));
    for (const socket of held) {
      await new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n');
      });
    }
    const refused = await open(port);
    expect(await untilClosed(refused)).toBe('');
    for (const socket of held) socket.destroy();
  });
});
