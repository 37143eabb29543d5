import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may not be sent (unless WEBHOOK_ALLOW_PRIVATE=true): loopback, private,
 * link-local (which holds the cloud metadata address 169.254.169.254), CGNAT, multicast,
 * unspecified and reserved ranges, IPv4 and IPv6. An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is judged by its IPv4 address.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Whether `address` (an IP literal) is one a webhook may not reach. Pure. */
export function isForbiddenAddress(address: string): boolean {
  const mapped = MAPPED.exec(address)?.[1];
  if (mapped !== undefined) return isForbiddenAddress(mapped);
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class EgressRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefused';
  }
}

/** What the URL itself says, before any DNS: https only, and no forbidden literal address. Throws `EgressRefused`. */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgressRefused('url is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) throw new EgressRefused('url must be https');
  if (url.username !== '' || url.password !== '') throw new EgressRefused('url must not hold credentials');
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isForbiddenAddress(host))) throw new EgressRefused('url must not point to a private address');
  }
  return url;
}

export interface Target {
  url: URL;
  /** The address to connect to: the one checked, so DNS cannot change between check and connect. */
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the URL's host at delivery time and checks every address it has (a name with one
 * public and one private address is refused). Throws `EgressRefused`.
 */
export async function resolveTarget(raw: string, allowPrivate: boolean): Promise<Target> {
  const url = checkWebhookUrl(raw, allowPrivate);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true });
  } catch {
    throw new EgressRefused(`cannot resolve ${host}`);
  }
  if (addresses.length === 0) throw new EgressRefused(`cannot resolve ${host}`);
  if (!allowPrivate && addresses.some((a) => isForbiddenAddress(a.address))) throw new EgressRefused(`${host} resolves to a private address`);
  const first = addresses[0] as { address: string; family: number };
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
