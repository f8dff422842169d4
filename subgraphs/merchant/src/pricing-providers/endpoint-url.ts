// A merchant's provider endpoint URL: https, no credentials, no fragment; a private, loopback,
// link-local or otherwise non-public address (or `localhost`) only when private URLs are allowed
// (WEBHOOK_ALLOW_PRIVATE_URLS, the default only under NODE_ENV development and test), when plain
// http is allowed too. Only what the URL itself says is checked here: names that resolve to
// private addresses must be refused again by the caller when it connects.
import { BlockList, isIP } from 'node:net';
import { badUserInput } from '@handoff/shared';

export const MAX_ENDPOINT_URL_LENGTH = 2048;

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

/** Whether `host` (a URL's hostname, IPv6 in brackets) names a loopback, private, link-local or reserved address. */
export function isNonPublicHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const family = isIP(name);
  if (family === 4) return nonPublic.check(name, 'ipv4');
  if (family === 6) {
    // An IPv4-mapped address (::ffff:a.b.c.d, which the URL parser prints as ::ffff:xxxx:xxxx) is its IPv4 address.
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(name);
    if (mapped) {
      const hi = parseInt(mapped[1]!, 16);
      const lo = parseInt(mapped[2]!, 16);
      return nonPublic.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return nonPublic.check(name, 'ipv6');
  }
  return false;
}

export function validateEndpointUrl(value: unknown, field: string, allowPrivateUrls: boolean): string {
  if (typeof value !== 'string' || value.trim() === '') throw badUserInput(field, 'is required for an HTTP provider.');
  if (value.length > MAX_ENDPOINT_URL_LENGTH) throw badUserInput(field, `must be at most ${MAX_ENDPOINT_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badUserInput(field, 'must be an absolute URL such as https://example.com/handoff/tax.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivateUrls)) {
    throw badUserInput(field, allowPrivateUrls ? 'must be an http or https URL.' : 'must be an https URL.');
  }
  if (url.username !== '' || url.password !== '') throw badUserInput(field, 'must not carry a user name or password.');
  if (url.hash !== '') throw badUserInput(field, 'must not have a #fragment.');
  if (!allowPrivateUrls && isNonPublicHost(url.hostname)) {
    throw badUserInput(field, 'must be a public address: private, loopback and link-local addresses are refused.');
  }
  return url.toString();
}
