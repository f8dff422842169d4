// What a merchant may send to create or change a webhook endpoint. Pure but for one DNS lookup:
// the URL (https; http and private addresses only when WEBHOOK_ALLOW_PRIVATE_URLS), the event
// filter (names from WEBHOOK_EVENT_TYPES, or `*`), the description and a secret of its own.
import { lookup } from 'node:dns/promises';
import { badUserInput, isNonPublicAddress, isNonPublicHost, WEBHOOK_EVENT_TYPES } from '@handoff/shared';
import { optionalText } from '../input.js';
import { webhookUrlNotAllowed } from './webhook-endpoint.errors.js';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_ENDPOINTS_PER_MERCHANT = 16;
export const MAX_DESCRIPTION_LENGTH = 500;
export const ALL_EVENTS = '*';
/** A secret the merchant brings: 32 to 256 printable ASCII characters, no spaces (Handoff makes `whsec_…` otherwise). */
const OWN_SECRET = /^[\x21-\x7e]{32,256}$/;
const RESOLVE_TIMEOUT_MS = 2000;

export interface WebhookEndpointSpec {
  url?: string | null;
  events?: readonly string[] | null;
  description?: string | null;
  enabled?: boolean | null;
  secret?: string | null;
}

/** The URL, normalized (URL#toString); syntax and what the URL itself says only. */
export function webhookUrl(value: unknown, field: string, allowPrivateUrls: boolean): string {
  if (typeof value !== 'string' || value.trim() === '') throw badUserInput(field, 'is required.');
  if (value.length > MAX_WEBHOOK_URL_LENGTH) throw badUserInput(field, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badUserInput(field, 'must be an absolute URL such as https://example.com/webhooks/handoff.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivateUrls)) {
    throw badUserInput(field, allowPrivateUrls ? 'must be an http or https URL.' : 'must be an https URL.');
  }
  if (url.username !== '' || url.password !== '') throw badUserInput(field, 'must not carry a user name or password.');
  if (url.hash !== '') throw badUserInput(field, 'must not have a #fragment.');
  const normalized = url.toString();
  if (normalized.length > MAX_WEBHOOK_URL_LENGTH) throw badUserInput(field, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  if (!allowPrivateUrls && isNonPublicHost(url.hostname)) throw webhookUrlNotAllowed(field, `The URL's host ${url.hostname} is not a public address.`);
  return normalized;
}

/**
 * Refuses (WEBHOOK_URL_NOT_ALLOWED) a name that resolves to a non-public address, unless private
 * URLs are allowed. A name that does not resolve now is accepted: each delivery checks again.
 */
export async function assertResolvesPublic(
  url: string,
  field: string,
  allowPrivateUrls: boolean,
  resolve: (host: string) => Promise<string[]> = resolveAll,
): Promise<void> {
  if (allowPrivateUrls) return;
  const host = new URL(url).hostname;
  const addresses = await resolve(host).catch(() => [] as string[]);
  const hidden = addresses.find((a) => isNonPublicAddress(a));
  if (hidden !== undefined) throw webhookUrlNotAllowed(field, `The URL's host ${host} resolves to ${hidden}.`);
}

async function resolveAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), RESOLVE_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([lookup(host, { all: true }), timeout])).map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

/** The event filter: known names or `*` (which then stands alone), duplicates dropped, order kept. */
export function webhookEvents(value: unknown, field: string, known: readonly string[] = WEBHOOK_EVENT_TYPES): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badUserInput(field, `must list at least one event type, or "${ALL_EVENTS}" for all of them.`);
  }
  if (value.length > 64) throw badUserInput(field, 'must have at most 64 entries.');
  const out: string[] = [];
  value.forEach((name: unknown, i) => {
    if (name !== ALL_EVENTS && !(typeof name === 'string' && known.includes(name))) {
      const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : String(name);
      throw badUserInput(`${field}[${i}]`, `${shown} is not an event type. Known: ${known.join(', ')}, or "${ALL_EVENTS}".`);
    }
    if (!out.includes(name)) out.push(name);
  });
  return out.includes(ALL_EVENTS) ? [ALL_EVENTS] : out;
}

export function ownSecret(value: unknown, field: string): string {
  // The message never quotes the value: it is a secret, even when malformed.
  if (typeof value !== 'string' || !OWN_SECRET.test(value)) {
    throw badUserInput(field, 'must be 32 to 256 printable ASCII characters without spaces.');
  }
  return value;
}

export interface CreateEndpointDraft {
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  secret: string | null;
}

/** `known`: the event types the owner may subscribe to (a merchant's by default; an agent's: AGENT_WEBHOOK_EVENT_TYPES). */
export function validateCreateEndpoint(input: WebhookEndpointSpec, allowPrivateUrls: boolean, known: readonly string[] = WEBHOOK_EVENT_TYPES): CreateEndpointDraft {
  return {
    url: webhookUrl(input.url, 'input.url', allowPrivateUrls),
    events: webhookEvents(input.events, 'input.events', known),
    description: optionalText(input.description, 'input.description', MAX_DESCRIPTION_LENGTH) ?? null,
    enabled: input.enabled ?? true,
    secret: input.secret === null || input.secret === undefined ? null : ownSecret(input.secret, 'input.secret'),
  };
}

export interface UpdateEndpointDraft {
  url?: string;
  events?: string[];
  /** null clears it. */
  description?: string | null;
  enabled?: boolean;
}

/** Only the fields given; `description: null` clears it, other nulls change nothing. */
export function validateUpdateEndpoint(input: WebhookEndpointSpec, allowPrivateUrls: boolean, known: readonly string[] = WEBHOOK_EVENT_TYPES): UpdateEndpointDraft {
  const draft: UpdateEndpointDraft = {};
  if (input.url !== undefined && input.url !== null) draft.url = webhookUrl(input.url, 'input.url', allowPrivateUrls);
  if (input.events !== undefined && input.events !== null) draft.events = webhookEvents(input.events, 'input.events', known);
  if (input.description !== undefined) draft.description = optionalText(input.description, 'input.description', MAX_DESCRIPTION_LENGTH) ?? null;
  if (input.enabled !== undefined && input.enabled !== null) draft.enabled = input.enabled;
  if (input.secret !== undefined && input.secret !== null) throw badUserInput('input.secret', 'cannot be changed here: use rotateWebhookEndpointSecret.');
  return draft;
}
