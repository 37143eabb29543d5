import { BlockList, isIP } from 'node:net';

const lists = new WeakMap<readonly string[], BlockList>();

/** A `BlockList` of addresses and CIDR ranges, built once per list and kept while the list lives. */
function toBlockList(entries: readonly string[]): BlockList {
  let list = lists.get(entries);
  if (list !== undefined) return list;
  list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  lists.set(entries, list);
  return list;
}

function contains(entries: readonly string[], ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return toBlockList(entries).check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * IP rules: the deny list wins over the allow list; an empty allow list allows every address.
 * When the credential has any rule and the caller did not say which address the request came
 * from (or said something that is not an address), the answer is no.
 */
export function ipAllowed(ip: string | undefined, allow: readonly string[], deny: readonly string[]): boolean {
  if (allow.length === 0 && deny.length === 0) return true;
  if (ip === undefined || isIP(ip) === 0) return false;
  if (deny.length > 0 && contains(deny, ip)) return false;
  if (allow.length > 0 && !contains(allow, ip)) return false;
  return true;
}
