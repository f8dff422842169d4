// Loopback, private, link-local and reserved addresses, written once: what an outgoing call to a
// merchant's URL (pricing providers today, outbound webhooks next) must refuse unless private URLs
// are allowed (WEBHOOK_ALLOW_PRIVATE_URLS). isNonPublicHost judges what a URL says; a caller that
// connects judges the resolved address again with isNonPublicAddress (DNS rebinding).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

/** Whether a resolved address is loopback, private, link-local or reserved (IPv4-mapped IPv6 as its IPv4; not an IP: true). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return nonPublic.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  return family === 4 ? nonPublic.check(address, 'ipv4') : family === 6 ? nonPublic.check(address, 'ipv6') : true;
}

/** Whether `host` (a URL's hostname, IPv6 in brackets) names a loopback, private, link-local or reserved address, or localhost. A public-looking name: false. */
export function isNonPublicHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 0) return false;
  // An IPv4-mapped address as the URL parser prints it (::ffff:xxxx:xxxx) is its IPv4 address.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(name);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return isNonPublicAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return isNonPublicAddress(name);
}

/** The error code `publicOnlyLookup` fails with. */
export const NON_PUBLIC_ADDRESS_ERROR = 'EADDRNOTPUBLIC';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node's http(s) request or agent that fails (code EADDRNOTPUBLIC) when the name
 * resolves to any non-public address, and otherwise hands the socket the very addresses it
 * checked: the check and the connection use one resolution, so DNS rebinding between them is not
 * possible. (A URL whose host is an IP literal is not looked up: check it with isNonPublicHost.)
 */
export function publicOnlyLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => isNonPublicAddress(a.address))) {
      return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: NON_PUBLIC_ADDRESS_ERROR }), []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}
