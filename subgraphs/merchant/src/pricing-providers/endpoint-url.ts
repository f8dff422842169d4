// A merchant's provider endpoint URL: https, no credentials, no fragment; a private, loopback,
// link-local or otherwise non-public address (or `localhost`) only when private URLs are allowed
// (WEBHOOK_ALLOW_PRIVATE_URLS, the default only under NODE_ENV development and test), when plain
// http is allowed too. Only what the URL itself says is checked here: names that resolve to
// private addresses must be refused again by the caller when it connects.
import { badUserInput, isNonPublicHost } from '@handoff/shared';

export const MAX_ENDPOINT_URL_LENGTH = 2048;

export { isNonPublicHost };

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
