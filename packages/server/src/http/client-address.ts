import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../config.js';

export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Which proxies in X-Forwarded-For are trusted, as the one function that Fastify (`trustProxy`)
 * and the verify lane both use: `false` trusts none, `true` all, a number the nearest hops, a
 * string a comma-separated list of addresses and CIDRs.
 */
export function trustProxyFunction(setting: Config['trustProxy']): TrustProxy | false {
  if (setting === false) return false;
  if (setting === true) return () => true;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting.split(',').map((part) => part.trim()));
}

/** The caller's address, exactly as Fastify's `request.ip` computes it with the same trust. */
export function clientAddress(req: IncomingMessage, trust: TrustProxy | false): string {
  if (trust === false) return req.socket.remoteAddress ?? '';
  const chain = proxyAddr.all(req, trust);
  return chain[chain.length - 1] ?? '';
}
