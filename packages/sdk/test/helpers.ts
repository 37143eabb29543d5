import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { startApp, type StartOptions, type TestApp } from '../../server/test/helpers/harness.js';

/** A real Elyzor listening on a free port of 127.0.0.1, for the SDK to reach over HTTP. */
export interface RunningElyzor {
  server: TestApp;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startElyzor(options: StartOptions = {}): Promise<RunningElyzor> {
  const server = await startApp(options);
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return { server, baseUrl: address, close: () => server.close() };
}

export const listenOn = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

/**
 * A proxy in front of Elyzor that answers the first `failures` requests itself (`status`, with
 * `Retry-After: 0`) and forwards the rest: a server that fails first. `seen` counts what reached it.
 */
export async function flakyProxy(target: string, failures: number, status = 503): Promise<{ baseUrl: string; seen: () => number; forwarded: () => number; close(): Promise<void> }> {
  let seen = 0;
  let forwarded = 0;
  const server = createServer((req: IncomingMessage, res) => {
    seen++;
    if (seen <= failures) {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' }).end(JSON.stringify({ error: 'service_unavailable', message: 'down for a moment', requestId: 'proxy' }));
      return;
    }
    forwarded++;
    const upstream = new URL(req.url ?? '/', target);
    const proxied = httpRequest(upstream, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(proxied);
  });
  const baseUrl = await listenOn(server);
  return { baseUrl, seen: () => seen, forwarded: () => forwarded, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<string> {
  const server = createServer();
  const url = await listenOn(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

/** A `fetch` that counts the calls it passes on, by method and path. */
export function countingFetch(): { fetch: typeof fetch; calls: Array<{ method: string; path: string }> } {
  const calls: Array<{ method: string; path: string }> = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push({ method: init?.method ?? 'GET', path: new URL(String(input)).pathname });
      return fetch(input, init);
    },
  };
}

/**
 * An address where a connection is accepted and closed at once, before any answer: Elyzor out of
 * reach, without the chance that another process takes a released port meanwhile.
 */
export async function hangingUp(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createTcpServer((socket) => socket.destroy());
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
